# Layer-level ring grafting at the end of every epoch (A=0.4, c=500).
custom_hooks = [
    dict(type='FilterGraftingHook',
         level='layer',
         a=0.4,
         c=500.0,
         bn_fc_mode='last_conv')
]
