# IR-50 variant of the paper recipe (same data, schedule and head).
_base_ = './curricularface_iresnet100_8xb64-24e_ms1mv2.py'

model = dict(backbone=dict(arch='ir50'))
