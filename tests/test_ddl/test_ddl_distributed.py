# Copyright (c) OpenMMLab paper plugins contributors. All rights reserved.
"""DDL on 2 gloo processes (``_dist_worker.py``) against 1 process on the
whole batch: the gathered DDL loss and its gradients under both
``ddl_gradient`` settings, and two DDP training steps of a tiny model."""
import pytest
import torch

from ._dist_worker import (PER_RANK, WORLD, build_model, ddl_loss,
                           gather_inputs, train)

WORKER = 'tests/test_ddl/_dist_worker.py'


def test_one_process_both_gradients_are_the_loss_gradient():
    """Without a process group the gather is the identity: 'official' and
    'exact' both give the plain gradient of the loss."""
    ref_loss, ref_grads = ddl_loss(gather_inputs(), gather=False)
    for gradient in ('official', 'exact'):
        loss, grads = ddl_loss(gather_inputs(), True, gradient)
        assert torch.equal(loss, ref_loss)
        for branch, ref_branch in zip(grads, ref_grads):
            for grad, ref in zip(branch, ref_branch):
                assert torch.equal(grad, ref)


def test_bad_ddl_gradient_is_a_clear_error():
    with pytest.raises(ValueError, match='model.ddl_gradient must be one'):
        build_model('W-times')


def test_two_processes_against_one(tmp_path, run_ranks):
    """The worker's ranks against references computed here.

    Gather: each rank's loss is the global-batch loss; 'exact' embedding
    gradients are W times the global loss's (DDP's averaging brings them
    back), 'official' ones W times those (TFace's ``AllGatherFunc``).

    DDP (mmengine's wrapper, float64, two SGD steps): 'exact' on 2 ranks
    gives the weights of 1 process on the whole batch; 'official' those of
    1 process whose DDL weights are multiplied by W. Equal within 1e-10
    (not bit-equal: the gradient sums run in another order across ranks);
    the two ranks stay bit-equal to each other.
    """
    run_ranks([WORKER, '{init_method}', str(tmp_path)], timeout=300)
    ranks = [
        torch.load(tmp_path / f'rank{r}.pth', weights_only=False)
        for r in range(WORLD)
    ]
    ref_loss, ref_grads = ddl_loss(gather_inputs(), gather=False)
    for rank, got in enumerate(ranks):
        rows = slice(rank * PER_RANK, (rank + 1) * PER_RANK)
        gather = got['gather']
        for mode, scale in (('exact', WORLD), ('official', WORLD**2)):
            torch.testing.assert_close(gather[mode]['loss'], ref_loss)
            for branch, ref_branch in zip(gather[mode]['grads'], ref_grads):
                for grad, ref in zip(branch, ref_branch):
                    torch.testing.assert_close(grad / scale, ref[rows])
        assert not torch.allclose(gather['local']['loss'], ref_loss)

    references = dict(exact=train(build_model('exact'), 0, 1),
                      official=train(build_model('exact', WORLD), 0, 1))
    assert not torch.allclose(references['exact']['backbone.fc.weight'],
                              references['official']['backbone.fc.weight'])
    for mode, ref in references.items():
        a, b = (r['ddp'][mode] for r in ranks)
        assert a.keys() == ref.keys()
        for key, value in ref.items():
            assert torch.equal(a[key], b[key]), (mode, key)
            torch.testing.assert_close(a[key], value, rtol=1e-10,
                                       atol=1e-10, msg=f'{mode} {key}')
        # the heads' t, from the global batch, moved
        assert a['head.t'].item() != 0.0
