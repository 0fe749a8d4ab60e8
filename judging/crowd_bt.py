"""Pairwise judging: Crowd-BT (Chen, Bennett, Collins-Thompson & Horvitz, "Pairwise ranking
aggregation in a crowdsourced setting", WSDM 2013), with Gavel's priors and constants (pure).

    Item(mu=0.0, sigma_sq=1.0)          # a submission's quality: N(mu, sigma_sq); frozen
    Annotator(alpha=10.0, beta=1.0)     # a juror's reliability: eta ~ Beta(alpha, beta); frozen
    update(annotator, winner, loser) -> (Annotator, Item, Item)
    expected_information_gain(annotator, a, b) -> float
    choose_next(annotator, previous: Item | None, candidates: Mapping[int, Item],
                rng: random.Random, *, epsilon=0.25, views: Mapping[int, int] | None = None,
                min_views=0, busy: Collection[int] = ()) -> int | None
    ranking(items: Mapping[int, Item], *, views=None, award_places=3) -> scoring.Ranking
                                        # μ ± 1.96σ, method "pairwise"
    kl_normal(...), kl_beta(...)        # the two divergences, elementwise

The web keeps per juror: the Annotator, the previous item id, the items judged/skipped (left
out of `candidates`), and per item the Item and its number of comparisons (`views`); `busy`
are the items other jurors have open right now (Gavel: opened within the last few minutes).

Model. Item i has quality s_i; the Bradley–Terry probability that i beats j is
σ(s_i − s_j) = e^{s_i}/(e^{s_i} + e^{s_j}). A juror k is reliable with probability η_k: with
probability η_k they report the truth, else the opposite. Posteriors are approximated
(assumed-density filtering, one comparison at a time) by s_i ~ N(μ_i, σ_i²) and
η_k ~ Beta(α_k, β_k). Priors and constants as Gavel (anishathalye/gavel) uses them:
μ = 0, σ² = 1, α = 10, β = 1 (a new juror is trusted ~91 %), γ = 0.1 (weight of what we learn
about the juror against what we learn about the items), κ = 1e-4 (floor keeping σ² positive),
ε = 0.25 (exploration).

All formulas below are written with the logistic function σ(x) = 1/(1 + e^{−x}) (scipy's
expit) and
d = μ_w − μ_l (w the winner, l the loser); they equal the paper's exponential forms
(e.g. e^{μ_w}/(e^{μ_w} + e^{μ_l}) = σ(d), α e^{μ_w}/(α e^{μ_w} + β e^{μ_l}) = σ(d + ln α/β))
but do not overflow for large μ.
"""
from __future__ import annotations

import math
import random
from collections.abc import Collection, Mapping
from dataclasses import dataclass

import numpy as np
from scipy.special import betaln, digamma, expit

from judging.scoring import AWARD_PLACES, Estimate, Ranking, build_ranking

MU_PRIOR = 0.0
SIGMA_SQ_PRIOR = 1.0
ALPHA_PRIOR = 10.0
BETA_PRIOR = 1.0
GAMMA = 0.1
KAPPA = 1e-4
EPSILON = 0.25


@dataclass(frozen=True)
class Item:
    mu: float = MU_PRIOR
    sigma_sq: float = SIGMA_SQ_PRIOR


@dataclass(frozen=True)
class Annotator:
    alpha: float = ALPHA_PRIOR
    beta: float = BETA_PRIOR


def _annotator_posterior(alpha, beta, mu_w, var_w, mu_l, var_l):
    """Juror update and the probability of the observed answer (Chen et al. §4, eqs. for α, β).

    c₁ = P(winner truly better), by a second-order expansion of E[σ(s_w − s_l)] around the
    means (σ'' = σ(1 − σ)(1 − 2σ)):

        c₁ = σ(d) + ½ (σ_w² + σ_l²) · σ(d)(1 − σ(d))(1 − 2σ(d)),    c₂ = 1 − c₁

    The juror says "w over l" with probability η if w is better, 1 − η if not, so
    P(answer) = c = (c₁ α + c₂ β)/(α + β), and the exact posterior of η is a two-term mixture of
    Betas. Its first two moments,

        E[η]  = (c₁ α(α+1) + c₂ αβ) / (c (α+β)(α+β+1))
        E[η²] = (c₁ α(α+1)(α+2) + c₂ α(α+1)β) / (c (α+β)(α+β+1)(α+β+2))

    are matched by Beta(α', β'):

        α' = E[η] (E[η] − E[η²]) / (E[η²] − E[η]²),  β' = (1 − E[η]) (E[η] − E[η²]) / (E[η²] − E[η]²)

    Returns (α', β', c). Works elementwise on floats or numpy arrays (choose_next scores every
    candidate at once)."""
    a, b = alpha, beta
    p = expit(mu_w - mu_l)
    c1 = p + 0.5 * (var_w + var_l) * p * (1 - p) * (1 - 2 * p)
    c2 = 1.0 - c1
    c = (c1 * a + c2 * b) / (a + b)
    m1 = (c1 * a * (a + 1) + c2 * a * b) / (c * (a + b) * (a + b + 1))
    m2 = (c1 * a * (a + 1) * (a + 2) + c2 * a * (a + 1) * b) / (
        c * (a + b) * (a + b + 1) * (a + b + 2))
    var = m2 - m1 * m1
    return (m1 - m2) * m1 / var, (m1 - m2) * (1 - m1) / var, c


def _items_posterior(alpha, beta, mu_w, var_w, mu_l, var_l):
    """Item updates (Chen et al. §4): one Newton-like step on the log of the marginal
    likelihood of the answer, with η at its mean α/(α+β):

        L(μ_w, μ_l) = ln[(α e^{μ_w} + β e^{μ_l}) / ((α + β)(e^{μ_w} + e^{μ_l}))]
        ∂L/∂μ_w = −∂L/∂μ_l = σ(d + ln α/β) − σ(d)
        ∂²L/∂μ_w² = ∂²L/∂μ_l² = σ(d + ln α/β)(1 − σ(d + ln α/β)) − σ(d)(1 − σ(d))

        μ_w' = μ_w + σ_w² ∂L/∂μ_w           μ_l' = μ_l − σ_l² ∂L/∂μ_w
        σ_i²' = σ_i² · max(1 + σ_i² ∂²L/∂μ_i², κ)

    Returns (μ_w', σ_w²', μ_l', σ_l²'), elementwise like _annotator_posterior."""
    d = mu_w - mu_l
    p = expit(d)
    q = expit(d + np.log(alpha / beta))
    grad = q - p
    curv = q * (1 - q) - p * (1 - p)
    return (mu_w + var_w * grad, var_w * np.maximum(1 + var_w * curv, KAPPA),
            mu_l - var_l * grad, var_l * np.maximum(1 + var_l * curv, KAPPA))


def update(annotator: Annotator, winner: Item, loser: Item) -> tuple[Annotator, Item, Item]:
    """The juror preferred `winner` over `loser`: new (juror, winner, loser), all from the
    states before this comparison."""
    args = (annotator.alpha, annotator.beta, winner.mu, winner.sigma_sq, loser.mu, loser.sigma_sq)
    alpha, beta, _ = _annotator_posterior(*args)
    mu_w, var_w, mu_l, var_l = _items_posterior(*args)
    return (Annotator(float(alpha), float(beta)), Item(float(mu_w), float(var_w)),
            Item(float(mu_l), float(var_l)))


def kl_normal(mu1, var1, mu2, var2):
    """KL(N(μ₁, σ₁²) ‖ N(μ₂, σ₂²)) = (μ₁ − μ₂)²/(2σ₂²) + ½ (r − 1 − ln r),  r = σ₁²/σ₂²."""
    r = var1 / var2
    return (mu1 - mu2) ** 2 / (2 * var2) + 0.5 * (r - 1 - np.log(r))


def kl_beta(a1, b1, a2, b2):
    """KL(Beta(α₁, β₁) ‖ Beta(α₂, β₂)) = ln B(α₂, β₂) − ln B(α₁, β₁) + (α₁ − α₂) ψ(α₁)
    + (β₁ − β₂) ψ(β₁) + (α₂ − α₁ + β₂ − β₁) ψ(α₁ + β₁)   (ψ the digamma function)."""
    return (betaln(a2, b2) - betaln(a1, b1) + (a1 - a2) * digamma(a1)
            + (b1 - b2) * digamma(b1) + (a2 - a1 + b2 - b1) * digamma(a1 + b1))


def _information_gain(alpha, beta, mu_a, var_a, mu_b, var_b):
    """expected_information_gain, elementwise over arrays of b (or all floats)."""
    alpha1, beta1, c = _annotator_posterior(alpha, beta, mu_a, var_a, mu_b, var_b)
    mu_a1, var_a1, mu_b1, var_b1 = _items_posterior(alpha, beta, mu_a, var_a, mu_b, var_b)
    alpha2, beta2, _ = _annotator_posterior(alpha, beta, mu_b, var_b, mu_a, var_a)
    mu_b2, var_b2, mu_a2, var_a2 = _items_posterior(alpha, beta, mu_b, var_b, mu_a, var_a)
    a_wins = (kl_normal(mu_a1, var_a1, mu_a, var_a) + kl_normal(mu_b1, var_b1, mu_b, var_b)
              + GAMMA * kl_beta(alpha1, beta1, alpha, beta))
    b_wins = (kl_normal(mu_a2, var_a2, mu_a, var_a) + kl_normal(mu_b2, var_b2, mu_b, var_b)
              + GAMMA * kl_beta(alpha2, beta2, alpha, beta))
    return c * a_wins + (1 - c) * b_wins


def expected_information_gain(annotator: Annotator, a: Item, b: Item) -> float:
    """Expected gain (Chen et al. §5, as Gavel computes it) from asking this juror about a vs b:
    the information each possible answer would bring — the KL divergence from the current
    state to the updated one, items plus γ times the juror — weighted by the answer's
    probability c (from _annotator_posterior with a as the winner):

        EIG = c · [KL(a|a>b) + KL(b|a>b) + γ KL(η|a>b)]
              + (1 − c) · [KL(a|b>a) + KL(b|b>a) + γ KL(η|b>a)]

    where KL(x|answer) = KL(posterior after the answer ‖ current)."""
    return float(_information_gain(annotator.alpha, annotator.beta, a.mu, a.sigma_sq,
                                   b.mu, b.sigma_sq))


def choose_next(annotator: Annotator, previous: Item | None, candidates: Mapping[int, Item],
                rng: random.Random, *, epsilon: float = EPSILON,
                views: Mapping[int, int] | None = None, min_views: int = 0,
                busy: Collection[int] = ()) -> int | None:
    """The next item this juror compares with `previous` (Gavel's choice rule).

    `candidates` are the items the juror may still see (the caller leaves out what they
    already judged, skipped, or has a conflict with), by id. Preference, each step only if it
    leaves something: items nobody else is looking at now (not in `busy`); then items seen
    fewer than `min_views` times (`views`: id -> times compared), so every submission gets
    its minimum of looks first. Among those, with probability ε a uniformly random one
    (exploration), else the one with the highest expected_information_gain against
    `previous`. No `previous` (the juror's first item): a random one. No candidates: None.
    Deterministic for a given rng state (candidates are taken in id order)."""
    pool = sorted(candidates)
    if not pool:
        return None
    busy = set(busy)
    free = [i for i in pool if i not in busy]
    pool = free or pool
    if min_views > 0:
        views = views or {}
        unseen = [i for i in pool if views.get(i, 0) < min_views]
        pool = unseen or pool
    if previous is None or rng.random() < epsilon:
        return rng.choice(pool)
    gains = _information_gain(annotator.alpha, annotator.beta, previous.mu, previous.sigma_sq,
                              np.array([candidates[i].mu for i in pool]),
                              np.array([candidates[i].sigma_sq for i in pool]))
    return pool[int(np.argmax(gains))]     # the first maximum: the lowest id


def ranking(items: Mapping[int, Item], *, views: Mapping[int, int] | None = None,
            award_places: int = AWARD_PLACES) -> Ranking:
    """A scoring.Ranking of the items by μ, with interval μ ± 1.96·σ (σ = √σ²), ties flagged
    around the award places as for the other methods, tie-break by more comparisons
    (`views`), method "pairwise"."""
    views = views or {}
    return build_ranking("pairwise", {i: Estimate(it.mu, math.sqrt(it.sigma_sq), views.get(i, 0))
                                      for i, it in items.items()}, award_places=award_places)
