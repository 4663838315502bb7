# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""MANet tests run their tiny models on one thread (several times faster
than two contending threads for convs of a few channels)."""
import pytest
import torch


@pytest.fixture(autouse=True)
def one_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
