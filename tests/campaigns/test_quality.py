import pytest

from robotrace.campaigns.quality import adjusted_rand_index


def test_it_agrees_with_the_worked_examples_of_the_scikit_learn_documentation():
    # sklearn.metrics.adjusted_rand_score's docstring: 1.0, 0.57…, 0.57…, 0.0, -0.5
    assert adjusted_rand_index([0, 0, 1, 1], [1, 1, 0, 0]) == 1.0
    assert adjusted_rand_index([0, 0, 1, 2], [0, 0, 1, 1]) == pytest.approx(4 / 7)
    assert adjusted_rand_index([0, 0, 1, 1], [0, 0, 1, 2]) == pytest.approx(4 / 7)
    assert adjusted_rand_index([0, 0, 0, 0], [0, 1, 2, 3]) == 0.0
    assert adjusted_rand_index([0, 0, 1, 1], [0, 1, 0, 1]) == pytest.approx(-0.5)


def test_it_follows_the_hubert_arabie_formula_on_a_larger_contingency_table():
    # contingency a→{1: 3, 2: 2}, b→{2: 2, 3: 3}: pairs together in both 3+1+1+3 = 8; truth
    # pairs 2·C(5,2) = 20; found pairs C(3,2)+C(4,2)+C(3,2) = 12; E = 20·12/C(10,2);
    # ARI = (8 − E) / ((20 + 12)/2 − E) = 0.25
    truth = list("aaaaabbbbb")
    found = [1, 1, 1, 2, 2, 2, 2, 3, 3, 3]
    expected = 20 * 12 / 45
    assert adjusted_rand_index(truth, found) == pytest.approx((8 - expected) / (16 - expected))
    assert adjusted_rand_index(truth, found) == pytest.approx(0.25)


def test_labelings_of_different_lengths_are_refused():
    with pytest.raises(ValueError, match="3 true labels but 2"):
        adjusted_rand_index([1, 2, 3], [1, 2])
