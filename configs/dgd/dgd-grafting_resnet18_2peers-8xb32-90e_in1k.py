# Layer-level grafting of 2 ResNet-18 peers on ImageNet-1k, no distillation.
_base_ = ['./dgd-dgd_resnet18_2peers-8xb32-90e_in1k.py']
model = dict(online_kd=None)
