# Layer-level ring grafting after every epoch (A=0.4, c=500). The configs
# that use it also give each peer the official "dlr" (mmengine forbids the
# same key in two sibling bases, so it is set in each of them).
custom_hooks = [
    dict(type='FilterGraftingHook',
         level='layer',
         a=0.4,
         c=500.0,
         bn_fc_mode='last_conv')
]
