# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""SemaTree as the official code (issue 18, item 3): the letterbox warp and
its inverse, padding supervised as background, the augmentation
distributions, the backbone, and class weights from the whole batch across
processes."""
import math
from pathlib import Path

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmseg.registry import MODELS
from mmseg.structures import SegDataSample

import projects.sematree  # noqa: F401
from projects.sematree import (PersonCenterAffine, inverse_frequency_weights,
                               inverse_warp_labels, person_affine_matrix)

from ._class_weight_worker import CLASSES, WORLD, batch, loss_and_grad

REPO = Path(__file__).resolve().parents[2]
CFG = REPO / 'configs' / 'sematree'


def _apply(matrix, point):
    return matrix[:, :2] @ np.asarray(point, float) + matrix[:, 2]


def test_matrix_maps_the_box_as_the_official_warp():
    """The box centre goes to the crop centre; the box's rotated half-width
    vector (0, -s/2) to (0, -W/2): the box width fills the crop width."""
    c, s, out = (40.0, 25.0), 50.0, (32, 64)
    for r in (0.0, 30.0, -90.0):
        m = person_affine_matrix(c, s, r, out)
        np.testing.assert_allclose(_apply(m, c), (32.0, 16.0), atol=1e-9)
        rad = math.radians(r)
        up = (c[0] + s / 2 * math.sin(rad), c[1] - s / 2 * math.cos(rad))
        np.testing.assert_allclose(_apply(m, up), (32.0, 16.0 - 32.0),
                                   atol=1e-9)


def test_letterbox_pads_with_background_that_the_loss_counts():
    # a 40-high, 20-wide image of one class (5): letterboxed into 32x32
    t = PersonCenterAffine(crop_size=(32, 32), scale_factor=0.0,
                           rotation_prob=0.0)
    img = np.full((40, 20, 3), 200, np.uint8)
    out = t(dict(img=img, gt_seg_map=np.full((40, 20), 5, np.uint8)))
    label, image = out['gt_seg_map'], out['img']
    assert label.shape == (32, 32) and out['img_shape'] == (32, 32)
    # box width max(19, 39) = 39: content 20 * 32 / 39 = 16.4 px wide,
    # centred; about 7.8 px of border each side
    assert (label[:, :7] == 0).all() and (label[:, 25:] == 0).all()
    assert (label[1:-1, 9:23] == 5).all()
    assert (image[:, :7] == 0).all() and (image[1:-1, 9:23] == 200).all()
    # the border is supervised background: counted, with its weight
    w = inverse_frequency_weights(torch.from_numpy(label).long()[None], 6)
    n0 = int((label == 0).sum())
    assert n0 > 400
    assert w[0].item() == pytest.approx(1 - n0 / label.size)
    assert w[5].item() == pytest.approx(n0 / label.size)


def test_round_trip_and_inverse_border():
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 20, (10, 20)).astype(np.uint8)
    t = PersonCenterAffine(crop_size=(64, 64), test_mode=True)
    out = t(dict(img=np.zeros((10, 20, 3), np.uint8), gt_seg_map=labels))
    back = inverse_warp_labels(out['gt_seg_map'], out['warp_matrix'],
                               (10, 20))
    # exact, except the last column: as in the official geometry, the box
    # spans w - 1 = 19 px into 64 and the centre goes to 32 (not 31.5), so
    # x = 19 lands on x = 64, just outside the crop, and comes back as 0
    assert np.array_equal(back[:, :-1], labels[:, :-1])
    assert (back[:, -1] == 0).all() and labels[:, -1].any()
    # a crop smaller than the image: what falls outside is background
    small = np.full((8, 8), 7, np.uint8)
    m = person_affine_matrix((9.5, 9.5), 10.0, 0.0, (8, 8))  # centre part
    back = inverse_warp_labels(small, m, (20, 20))
    assert back[0, 0] == 0 and back[10, 10] == 7


def test_augmentation_distributions():
    np.random.seed(0)
    t = PersonCenterAffine(crop_size=(8, 8))
    draws = np.array([t._jitter() for _ in range(4000)])
    scale, rot = draws[:, 0], draws[:, 1]
    assert scale.min() == 0.75 and scale.max() == 1.25  # clipped N(1, .25)
    assert 0.2 < np.mean(np.abs(scale - 1) == 0.25) < 0.4  # ~32 % clipped
    assert np.abs(rot).max() == 60.0  # clipped N(0, 30) at +-2 sigma
    assert np.mean(rot == 0) == pytest.approx(0.4, abs=0.03)  # p = 0.6
    inner = rot[(rot != 0) & (np.abs(rot) < 60)]
    assert np.std(inner) == pytest.approx(26.4, abs=1.5)  # truncated sd
    test = PersonCenterAffine(test_mode=True)
    assert test._jitter() == (1.0, 0.0)
    with pytest.raises(ValueError, match='scale_factor'):
        PersonCenterAffine(scale_factor=1.5)


def test_segmentor_maps_predictions_back():
    init_default_scope('mmseg')
    cfg = Config.fromfile(
        str(CFG / 'sematree_r18-tiny_1xb4-300it_human-parts-demo.py'))
    model = MODELS.build(cfg.model)
    assert type(model).__name__ == 'SemaTreeSegmentor'
    labels = np.random.default_rng(1).integers(0, 20, (10, 20)).astype(
        np.uint8)
    out = PersonCenterAffine(crop_size=(64, 64), test_mode=True)(
        dict(img=np.zeros((10, 20, 3), np.uint8), gt_seg_map=labels))
    logits = torch.nn.functional.one_hot(
        torch.from_numpy(out['gt_seg_map']).long(), 20).permute(2, 0,
                                                                 1)[None]
    warped = SegDataSample(metainfo=dict(warp_matrix=out['warp_matrix'],
                                         img_shape=(64, 64),
                                         ori_shape=(10, 20)))
    plain = SegDataSample(metainfo=dict(img_shape=(64, 64),
                                        ori_shape=(32, 32)))
    got = model.postprocess_result(logits.float().repeat(2, 1, 1, 1),
                                   [warped, plain])
    pred = got[0].pred_sem_seg.data[0].numpy()
    assert pred.shape == (10, 20)
    assert np.array_equal(pred[:, :-1], labels[:, :-1])
    assert got[1].pred_sem_seg.data.shape == (1, 32, 32)  # resized


@pytest.mark.parametrize('dataset', ['lip', 'cihp', 'pascal-person-part'])
def test_paper_configs_geometry_and_losses(dataset):
    cfg = Config.fromfile(
        str(CFG / f'sematree_r101-d16_4xb6-150e_{dataset}-384x384.py'))
    assert cfg.model.type == 'SemaTreeSegmentor'
    train = cfg.train_dataloader.dataset.pipeline
    assert [s['type'] for s in train] == [
        'LoadImageFromFile', 'LoadAnnotations', 'PersonCenterAffine',
        'RandomFlip', 'PackSegInputs'
    ]
    assert (train[2]['scale_factor'], train[2]['rotation_factor'],
            train[2]['rotation_prob']) == (0.25, 30, 0.6)
    test = cfg.val_dataloader.dataset.pipeline
    assert test[1] == dict(type='PersonCenterAffine', crop_size=(384, 384),
                           test_mode=True)
    assert test[2]['type'] == 'LoadAnnotations'  # original-size labels
    assert 'warp_matrix' in test[-1]['meta_keys']
    head = cfg.model.decode_head
    for loss in (head.loss_decode, head.loss_router, head.loss_leaf):
        assert loss.whole_batch


def test_paper_backbone_is_the_official_resnet():
    cfg = Config.fromfile(
        str(CFG / 'sematree_r101-d16_4xb6-150e_lip-384x384.py'))
    init_default_scope('mmseg')
    backbone = dict(cfg.model.backbone, init_cfg=None)
    with torch.device('meta'):
        net = MODELS.build(backbone)
    assert [net.stem[i].out_channels for i in (0, 3, 6)] == [64, 64, 128]
    assert net.layer1[0].conv1.in_channels == 128
    assert [b.conv2.dilation for b in net.layer4] == [(2, 2)] * 3


def test_class_weights_from_the_whole_batch_on_two_processes(
        tmp_path, run_ranks):
    run_ranks(['tests/test_sematree/_class_weight_worker.py',
               '{init_method}', str(tmp_path)], timeout=240)
    log_probs, target = batch()
    ref_loss, ref_grad = loss_and_grad(log_probs, target, whole_batch=True)
    ref_weights = inverse_frequency_weights(target, CLASSES)
    ranks = [torch.load(tmp_path / f'rank{r}.pth', weights_only=False)
             for r in range(WORLD)]
    for rank, got in enumerate(ranks):
        rows = slice(2 * rank, 2 * rank + 2)
        assert torch.equal(got[True]['weights'], ref_weights)
        # DDP averages the ranks' gradients: each is W times its rows'
        torch.testing.assert_close(got[True]['grad'] / WORLD, ref_grad[rows])
        assert not torch.equal(got[False]['weights'], ref_weights)
    torch.testing.assert_close(
        sum(r[True]['loss'] for r in ranks) / WORLD, ref_loss)
    assert not torch.allclose(
        sum(r[False]['loss'] for r in ranks) / WORLD, ref_loss)
