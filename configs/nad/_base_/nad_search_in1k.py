# The official NAD search settings on ImageNet (hujiecpp/NAD findpath.py):
# lr 0.1, 21 epochs, batch 16, seed 233, the masks of epoch 20 evaluated, and
# the official search augmentation (RandomResizedCrop 224 with area 0.08-1.25,
# horizontal flip). A config adds the classifier, nad.positions and nad.beta.
custom_imports = dict(imports=['projects.nad'], allow_failed_imports=False)

nad_search_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='RandomResizedCrop',
         scale=224,
         crop_ratio_range=(0.08, 1.25),
         backend='pillow'),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PackInputs')
]
nad = dict(lr=0.1,
           epochs=21,
           batch_size=16,
           seed=233,
           eval_epoch=20,
           pipeline=nad_search_pipeline)
