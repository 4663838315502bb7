# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""The palm generator: MPD names, VOC boxes on the points, subject split,
determinism, and the hand rule of its points."""
import xml.etree.ElementTree as ET

import cv2
import numpy as np
import pytest

from projects.deepmpv.datasets import parse_mpd_name, read_point_file
from projects.deepmpv.roi import mpd_frame


def test_layout_names_and_split(palm_root):
    photos = sorted(p.name for p in (palm_root / 'original').iterdir())
    assert len(photos) == 4 * 2 * 2 * 2 * 2
    assert '001_1_h_l_01.jpg' in photos and '004_2_m_r_02.jpg' in photos
    parsed = [parse_mpd_name(p) for p in photos]
    assert {p.hand_id for p in parsed} == {
        f'{s:03d}_{h}' for s in range(1, 5) for h in 'lr'}
    split = {
        name: (palm_root / 'ImageSets' / 'Main' / f'{name}.txt').read_text()
        .split() for name in ('train', 'val', 'test')
    }
    assert len(split['train']) == 48 and len(split['test']) == 16
    assert not split['val']
    assert {s[:3] for s in split['test']} == {'004'}
    assert not {s[:3] for s in split['train']} & {'004'}


def test_voc_boxes_are_centred_on_the_points(palm_root):
    points = read_point_file(str(palm_root / 'points.txt'))
    assert len(points) == 64
    for name in ('001_1_h_l_01.jpg', '003_2_m_r_02.jpg'):
        pts = points[name]
        assert [p[3] for p in pts] == ['A', 'M', 'B', 'P']
        root = ET.parse(palm_root / 'Annotations' /
                        name.replace('.jpg', '.xml')).getroot()
        objs = root.findall('object')
        assert [o.find('name').text for o in objs] == [
            'finger_gap'] * 3 + ['palm_center']
        for (cls, x, y, _), obj in zip(pts, objs):
            box = [int(obj.find('bndbox').find(k).text)
                   for k in ('xmin', 'ymin', 'xmax', 'ymax')]
            # 1-based VOC box around the rounded point
            assert (box[0] + box[2]) / 2 - 1 == pytest.approx(x, abs=0.51)
            assert (box[1] + box[3]) / 2 - 1 == pytest.approx(y, abs=0.51)
        img = cv2.imread(str(palm_root / 'original' / name))
        assert img.shape == (128, 128, 3)


def test_points_follow_the_mpd_hand_rule(palm_root):
    """For both hands the palm centre lies on the palm side of the MPD
    frame built from the labelled A and B."""
    points = read_point_file(str(palm_root / 'points.txt'))
    for name, pts in points.items():
        tag = {t: np.array([x, y]) for _, x, y, t in pts}
        frame = mpd_frame(tag['A'], tag['B'], parse_mpd_name(name).hand)
        assert np.dot(frame.p, tag['P'] - (tag['A'] + tag['B']) / 2) > 0
        length = np.linalg.norm(tag['B'] - tag['A'])
        assert np.linalg.norm(tag['M'] - (tag['A'] + tag['B']) / 2) < \
            0.05 * length


def test_generation_is_deterministic_and_hands_differ(tmp_path, make_palms):
    a, b = tmp_path / 'a', tmp_path / 'b'
    for root in (a, b):
        make_palms.write_dataset(str(root), num_subjects=1, iters=1,
                                 size=64, test_subjects=0, gaps='outer')
    img_a = cv2.imread(str(a / 'original' / '001_1_h_l_01.jpg'))
    assert np.array_equal(img_a,
                          cv2.imread(str(b / 'original' / '001_1_h_l_01.jpg')))
    assert (a / 'points.txt').read_text() == (b / 'points.txt').read_text()
    assert ' M' not in (a / 'points.txt').read_text()
    left = make_palms.hand_params(1, 'l', 0)
    right = make_palms.hand_params(1, 'r', 0)
    assert not np.allclose(left['curves'][0], right['curves'][0])
    with pytest.raises(ValueError, match="gaps must be 'all' or 'outer'"):
        make_palms.write_dataset(str(a), num_subjects=1, gaps='three')
