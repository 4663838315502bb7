# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""Load frames and flow ground truth into a pipeline's results."""
import cv2
import numpy as np
from mmcv.transforms import BaseTransform
from mmseg.registry import TRANSFORMS

from .flow_io import read_flow, read_flow_kitti


def _read_rgb(path: str) -> np.ndarray:
    image = cv2.imread(path, cv2.IMREAD_COLOR)
    if image is None:
        raise ValueError(f'{path}: cannot be read as an image')
    return cv2.cvtColor(image, cv2.COLOR_BGR2RGB).astype(np.float32)


@TRANSFORMS.register_module()
class LoadFlowFrames(BaseTransform):
    """Read ``img_paths`` into ``imgs`` (list of (H, W, 3) float32 RGB,
    0-255) and set ``img_shape`` / ``ori_shape``.

    Required keys: ``img_paths``. Added keys: ``imgs``, ``img_shape``,
    ``ori_shape``.
    """

    def transform(self, results: dict) -> dict:
        imgs = [_read_rgb(path) for path in results['img_paths']]
        for path, image in zip(results['img_paths'][1:], imgs[1:]):
            if image.shape != imgs[0].shape:
                raise ValueError(
                    f'{path}: frame size {image.shape[:2]} differs from '
                    f'{results["img_paths"][0]} {imgs[0].shape[:2]}')
        results['imgs'] = imgs
        results['img_shape'] = imgs[0].shape[:2]
        results['ori_shape'] = imgs[0].shape[:2]
        return results


@TRANSFORMS.register_module()
class LoadFlowAnnotations(BaseTransform):
    """Read the forward flow and its masks.

    ``flow_fw_path`` (``.flo`` -> dense, valid everywhere; ``.png`` -> KITTI
    with its validity), ``noc_flow_path`` (KITTI ``flow_noc``: its validity
    is the non-occluded mask) and ``occ_path`` (Sintel occlusion PNG, > 0 =
    occluded). Sizes must match the frames.

    Added keys: ``gt_flow_fw`` (H, W, 2), ``gt_valid_fw`` (H, W),
    ``gt_noc_fw`` (H, W) when known.
    """

    def transform(self, results: dict) -> dict:
        path = results.get('flow_fw_path')
        if path is None:
            return results
        if path.endswith('.png'):
            flow, valid = read_flow_kitti(path)
        else:
            flow = read_flow(path)
            valid = np.ones(flow.shape[:2], np.float32)
        self._check(path, flow.shape[:2], results)
        results['gt_flow_fw'] = flow
        results['gt_valid_fw'] = valid
        if 'noc_flow_path' in results:
            _, noc = read_flow_kitti(results['noc_flow_path'])
            self._check(results['noc_flow_path'], noc.shape, results)
            results['gt_noc_fw'] = noc * valid
        elif 'occ_path' in results:
            occ = cv2.imread(results['occ_path'], cv2.IMREAD_GRAYSCALE)
            if occ is None:
                raise ValueError(f'{results["occ_path"]}: cannot be read as '
                                 'an occlusion map')
            self._check(results['occ_path'], occ.shape, results)
            results['gt_noc_fw'] = (occ == 0).astype(np.float32) * valid
        return results

    @staticmethod
    def _check(path: str, shape, results: dict) -> None:
        frames = results.get('img_shape')
        if frames is not None and tuple(shape) != tuple(frames):
            raise ValueError(f'{path}: size {tuple(shape)} differs from the '
                             f'frames {tuple(frames)} '
                             f'({results["img_paths"][0]})')
