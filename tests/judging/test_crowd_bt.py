"""judging.crowd_bt: the update reproduced from the equations computed another way — the
paper's exponential forms, numerical derivatives of the log-likelihood, the Beta posterior's
moments by numerical integration, KL divergences by integration — and the choice rule."""
import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate, stats

from judging import crowd_bt
from judging.crowd_bt import (
    Annotator, Item, choose_next, expected_information_gain, kl_beta, kl_normal, ranking, update)

approx = pytest.approx


def test_constants_are_gavels():
    assert (crowd_bt.MU_PRIOR, crowd_bt.SIGMA_SQ_PRIOR, crowd_bt.ALPHA_PRIOR, crowd_bt.BETA_PRIOR,
            crowd_bt.GAMMA, crowd_bt.KAPPA, crowd_bt.EPSILON) == (0, 1, 10, 1, 0.1, 1e-4, 0.25)
    assert Item() == Item(0.0, 1.0) and Annotator() == Annotator(10.0, 1.0)


def test_first_comparison_by_hand():
    # Two new items (μ 0, σ² 1) and a new juror (α 10, β 1).
    # ∂L/∂μ_w = 10/(10 + 1) − 1/2 = 0.409091: μ_w = +0.409091, μ_l = −0.409091.
    # ∂²L = (10·1)/(11²) − 1/4 = 0.082645 − 0.25 = −0.167355: σ² = 1·(1 − 0.167355) = 0.832645.
    # c₁ = 1/2 + ½·2·(1/4)(1/2)(0) = 1/2, so the answer says nothing about the juror:
    # E[η] stays 10/11 and (α, β) stay (10, 1).
    judge, w, l = update(Annotator(), Item(), Item())
    assert w.mu == approx(10 / 11 - 0.5) and l.mu == approx(-(10 / 11 - 0.5))
    assert w.sigma_sq == approx(1 + 10 / 121 - 0.25) == l.sigma_sq
    assert (judge.alpha, judge.beta) == approx((10, 1))


def test_variance_floor_kappa():
    # A very unreliable-looking juror pattern can make 1 + σ²∂²L negative; σ² then becomes
    # σ²·κ. With σ² = 30 and d = 0: ∂²L = 10/121 − 1/4 < 0 and 1 + 30·(−0.167) < 0.
    _, w, l = update(Annotator(), Item(0, 30.0), Item(0, 30.0))
    assert w.sigma_sq == approx(30 * 1e-4) and l.sigma_sq == approx(30 * 1e-4)


# Independent formulas: the paper's exponential form for the items, derivatives taken
# numerically, and the juror's posterior moments by integrating over η.

def log_likelihood(alpha, beta, mu_w, mu_l):
    ew, el = math.exp(mu_w), math.exp(mu_l)
    return math.log((alpha * ew + beta * el) / ((alpha + beta) * (ew + el)))


def independent_items(alpha, beta, w, l, h=1e-4):
    f = lambda x: log_likelihood(alpha, beta, x, l.mu)          # noqa: E731
    g = lambda x: log_likelihood(alpha, beta, w.mu, x)          # noqa: E731
    grad_w = (f(w.mu + h) - f(w.mu - h)) / (2 * h)
    grad_l = (g(l.mu + h) - g(l.mu - h)) / (2 * h)
    curv_w = (f(w.mu + h) - 2 * f(w.mu) + f(w.mu - h)) / h ** 2
    curv_l = (g(l.mu + h) - 2 * g(l.mu) + g(l.mu - h)) / h ** 2
    return (Item(w.mu + w.sigma_sq * grad_w, w.sigma_sq * max(1 + w.sigma_sq * curv_w, 1e-4)),
            Item(l.mu + l.sigma_sq * grad_l, l.sigma_sq * max(1 + l.sigma_sq * curv_l, 1e-4)))


def independent_judge(alpha, beta, w, l, h=1e-3):
    sig = lambda x: math.exp(x) / (math.exp(x) + 1)             # noqa: E731
    d = w.mu - l.mu
    second = (sig(d + h) - 2 * sig(d) + sig(d - h)) / h ** 2     # σ''(d), numerically
    c1 = sig(d) + 0.5 * (w.sigma_sq + l.sigma_sq) * second
    prior = stats.beta(alpha, beta)
    like = lambda eta: c1 * eta + (1 - c1) * (1 - eta)          # noqa: E731
    z = integrate.quad(lambda e: like(e) * prior.pdf(e), 0, 1, epsabs=1e-13)[0]
    m1 = integrate.quad(lambda e: e * like(e) * prior.pdf(e), 0, 1, epsabs=1e-13)[0] / z
    m2 = integrate.quad(lambda e: e * e * like(e) * prior.pdf(e), 0, 1, epsabs=1e-13)[0] / z
    # Beta(a', b') with mean m1 and variance m2 − m1²: a' + b' = m1(1 − m1)/var − 1
    total = m1 * (1 - m1) / (m2 - m1 ** 2) - 1
    return Annotator(m1 * total, (1 - m1) * total), z


@settings(max_examples=60, deadline=None)
@given(st.floats(1, 40), st.floats(0.5, 20), st.floats(-3, 3), st.floats(0.05, 1),
       st.floats(-3, 3), st.floats(0.05, 1))
def test_update_reproduces_the_equations(alpha, beta, mu_w, var_w, mu_l, var_l):
    w, l = Item(mu_w, var_w), Item(mu_l, var_l)
    judge, new_w, new_l = update(Annotator(alpha, beta), w, l)
    ref_w, ref_l = independent_items(alpha, beta, w, l)
    assert new_w.mu == approx(ref_w.mu, abs=1e-6) and new_l.mu == approx(ref_l.mu, abs=1e-6)
    assert new_w.sigma_sq == approx(ref_w.sigma_sq, abs=1e-5)
    assert new_l.sigma_sq == approx(ref_l.sigma_sq, abs=1e-5)
    ref_judge, _ = independent_judge(alpha, beta, w, l)
    assert judge.alpha == approx(ref_judge.alpha, rel=1e-4)
    assert judge.beta == approx(ref_judge.beta, rel=1e-4)


def test_a_surprising_answer_lowers_the_jurors_reliability():
    # The juror prefers an item believed far worse: E[η] = α/(α+β) drops.
    judge, _, _ = update(Annotator(), Item(-2, 0.1), Item(2, 0.1))
    assert judge.alpha / (judge.alpha + judge.beta) < 10 / 11
    judge, _, _ = update(Annotator(), Item(2, 0.1), Item(-2, 0.1))
    assert judge.alpha / (judge.alpha + judge.beta) > 10 / 11


@pytest.mark.parametrize("m1, v1, m2, v2", [(0, 1, 0, 1), (0.5, 0.3, -0.2, 1.0), (1, 2, 0, 0.5)])
def test_kl_normal_by_integration(m1, v1, m2, v2):
    p, q = stats.norm(m1, math.sqrt(v1)), stats.norm(m2, math.sqrt(v2))
    ref = integrate.quad(lambda x: p.pdf(x) * (p.logpdf(x) - q.logpdf(x)), -40, 40)[0]
    assert kl_normal(m1, v1, m2, v2) == approx(ref, abs=1e-8)


@pytest.mark.parametrize("a1, b1, a2, b2", [(10, 1, 10, 1), (11, 1.2, 10, 1), (2, 3, 4, 1.5)])
def test_kl_beta_by_integration(a1, b1, a2, b2):
    p, q = stats.beta(a1, b1), stats.beta(a2, b2)
    ref = integrate.quad(lambda x: p.pdf(x) * (p.logpdf(x) - q.logpdf(x)), 0, 1,
                         epsabs=1e-12, limit=200)[0]
    assert kl_beta(a1, b1, a2, b2) == approx(ref, abs=1e-7)


@pytest.mark.parametrize("a, b", [(Item(), Item()), (Item(0.4, 0.8), Item(-0.3, 0.5)),
                                  (Item(2, 0.1), Item(-1, 0.9))])
def test_expected_information_gain_from_the_pieces(a, b):
    judge = Annotator(12, 2)
    j1, c = independent_judge(12, 2, a, b)          # a wins, with probability c
    a1, b1 = independent_items(12, 2, a, b)
    j2, _ = independent_judge(12, 2, b, a)
    b2, a2 = independent_items(12, 2, b, a)

    def gain(j, na, nb):
        return (kl_normal(na.mu, na.sigma_sq, a.mu, a.sigma_sq)
                + kl_normal(nb.mu, nb.sigma_sq, b.mu, b.sigma_sq)
                + 0.1 * kl_beta(j.alpha, j.beta, 12, 2))

    ref = c * gain(j1, a1, b1) + (1 - c) * gain(j2, a2, b2)
    assert expected_information_gain(judge, a, b) == approx(ref, rel=1e-4)
    assert expected_information_gain(judge, a, b) > 0


class FixedRandom(random.Random):
    """random() returns a fixed value; choice() stays seeded."""

    def __init__(self, value):
        super().__init__(0)
        self.value = value

    def random(self):
        return self.value


def test_choose_next_rules():
    judge = Annotator()
    prev = Item(0.0, 0.2)
    items = {1: Item(0.1, 0.05), 2: Item(3.0, 0.9), 3: Item(-0.1, 0.9), 4: Item(0.0, 1.0)}
    gains = {i: expected_information_gain(judge, prev, it) for i, it in items.items()}
    best = max(gains, key=gains.get)
    # exploit (random() ≥ ε): the largest expected gain
    assert choose_next(judge, prev, items, FixedRandom(0.9)) == best
    # busy items are avoided while others are free; all busy: any is fine again
    assert choose_next(judge, prev, items, FixedRandom(0.9), busy={best}) == max(
        (i for i in items if i != best), key=gains.get)
    assert choose_next(judge, prev, items, FixedRandom(0.9), busy=set(items)) == best
    # items under their minimum of views come first
    views = {1: 5, 2: 5, 3: 5, 4: 1}
    assert choose_next(judge, prev, items, FixedRandom(0.9), views=views, min_views=3) == 4
    # explore (random() < ε): uniform among the preferred items
    picks = {choose_next(judge, prev, items, random.Random(s), epsilon=1.0) for s in range(40)}
    assert picks == set(items)
    # first item of a juror: random; nothing left: None
    assert choose_next(judge, None, items, random.Random(1)) in items
    assert choose_next(judge, prev, {}, random.Random(1)) is None
    # deterministic for a seed
    assert ([choose_next(judge, prev, items, random.Random(5)) for _ in range(3)]
            == [choose_next(judge, prev, items, random.Random(5)) for _ in range(3)])


def test_ranking_shows_mu_and_sigma():
    r = ranking({1: Item(0.5, 0.04), 2: Item(1.5, 0.01), 3: Item(0.45, 0.04)}, views={1: 3})
    assert r.method == "pairwise"
    assert [row.submission for row in r.rows] == [2, 1, 3]
    assert r.rows[0].low == approx(1.5 - 1.96 * 0.1) and r.rows[0].high == approx(1.5 + 0.196)
    assert [row.tied for row in r.rows] == [False, True, True]
    assert r.rows[1].reviews == 3


def test_a_simulated_jury_recovers_the_order():
    # 20 submissions with known strengths, 4 jurors (one answering at random) doing 400
    # comparisons through choose_next: the posterior means correlate with the truth and the
    # random juror ends up with the lowest reliability.
    rng = random.Random(11)
    truth = {i: rng.gauss(0, 1.2) for i in range(20)}
    items = {i: Item() for i in truth}
    judges = {j: Annotator() for j in range(4)}
    previous: dict[int, int | None] = dict.fromkeys(judges)
    seen: dict[int, set] = {j: set() for j in judges}
    views = dict.fromkeys(truth, 0)
    for step in range(400):
        j = step % 4
        left = {i: items[i] for i in items if i not in seen[j]}
        if not left:
            seen[j] = {previous[j]}
            left = {i: items[i] for i in items if i not in seen[j]}
        p = previous[j]
        nxt = choose_next(judges[j], items[p] if p is not None else None, left, rng,
                          views=views, min_views=2)
        if p is not None:
            says_p = (rng.random() < 0.5) if j == 3 else (
                rng.random() < 1 / (1 + math.exp(truth[nxt] - truth[p])))
            win, lose = (p, nxt) if says_p else (nxt, p)
            judges[j], items[win], items[lose] = update(judges[j], items[win], items[lose])
            views[p] += 1
            views[nxt] += 1
        seen[j].add(nxt)
        previous[j] = nxt
    rho = stats.spearmanr([items[i].mu for i in truth], list(truth.values()))[0]
    assert rho > 0.8
    reliability = {j: a.alpha / (a.alpha + a.beta) for j, a in judges.items()}
    assert min(reliability, key=reliability.get) == 3
    assert min(views.values()) >= 2
