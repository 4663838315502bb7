# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Numbers from the text fields of annotation and prediction files."""
import math
from typing import List, Sequence


def finite_floats(values: Sequence[str], where: str,
                  what: str = 'value') -> List[float]:
    """``values`` as floats; an error naming ``where`` (file and line) when
    one is not a number, or is NaN or infinite.

    Args:
        values (Sequence[str]): The fields to convert.
        where (str): ``'<file>, line <n>'`` for the message.
        what (str): What the fields are, for the message. Defaults to
            ``'value'``.

    Returns:
        list[float]: The numbers.
    """
    try:
        numbers = [float(v) for v in values]
    except ValueError:
        raise ValueError(f'{where}: non-numeric {what} in '
                         f'{" ".join(values)!r}') from None
    if not all(math.isfinite(v) for v in numbers):
        raise ValueError(f'{where}: NaN or infinite {what} in '
                         f'{" ".join(values)!r}')
    return numbers
