"""Spec of step 2: logsumexp, log_softmax, nll, cross_entropy, accuracy (spec/02_loss.md)."""
import pytest
import torch
import torch.nn.functional as F

from loopkata.testing import expect_close, under_test

pytestmark = pytest.mark.step("loss")
loss = under_test("loss")


def test_nll_matches_torch():
    logp = F.log_softmax(torch.randn(6, 4), dim=-1)
    target = torch.tensor([0, 3, 1, 1, 2, 0])
    expect_close(loss.nll(logp, target), F.nll_loss(logp, target),
                 "lesson9.loss.nll(log_probs, target) on 6 rows of 4 classes", "F.nll_loss on the same input")
