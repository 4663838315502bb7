# The 3-frame PWC-Lite ("ARFlow-MV", official pwclite_ar_mv.tar) on KITTI
# 2015 test: frames 09, 10, 11; the flow 10 -> 11 of the centre frame is
# written as the submission.
_base_ = './arflow_pwclite_kitti2015-test-384x640.py'

model = dict(flow_net=dict(n_frames=3))
test_dataloader = dict(dataset=dict(n_frames=3))
