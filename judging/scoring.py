"""From jurors' scores to a ranking, three ways, each with an interval per submission (pure).

    criteria_score(values, criteria) -> float in 0..1     # one review's weighted criteria
    raw_mean(reviews)      -> Ranking    # "mean":       the baseline every platform has
    z_scores(reviews)      -> Ranking    # "zscore":     per-juror standardisation, shrunk SDs
    calibrated(reviews)    -> Ranking    # "calibrated": MacKay et al. 2017, with confidence
    METHODS = {"mean": raw_mean, "zscore": z_scores, "calibrated": calibrated}
    blend(jury, votes, public_weight) -> Ranking          # people's choice mixed in
    build_ranking(method, estimates, ...) -> Ranking     # shared by crowd_bt.ranking

Signatures (refining CONTRACTS.md §2; all keyword options have defaults, so the contract's
calls work unchanged):
    raw_mean(reviews, *, shrinkage=5.0, tie_break="reviews", award_places=3)
    z_scores(reviews, *, shrinkage=5.0, min_reviews=3, tie_break="reviews", award_places=3)
    calibrated(reviews, *, regularisation=0.25, tie_break="reviews", award_places=3)
    calibrate(reviews, *, regularisation=0.25) -> Calibration   # the fit behind `calibrated`
    blend(jury, votes, public_weight, *, tie_break="reviews", award_places=3)
                                                                # method "<jury method>+votes"
`Ranked` has one field more than the contract, `reviews` (default 0); `Ranking.islands` is
list[(jurors, submissions)] of frozensets and `Ranking.connected` says whether it has one.

A `Review` is one juror's finished review of one submission: `score` is its criteria_score
(0..1) and `confidence` the weight MacKay et al. give a declared confidence (CONFIDENCE_WEIGHTS
maps low/medium/high; 1.0 is "medium"). Only `calibrated` uses the confidence; the two simpler
methods count every review alike, as their sources do.

Every `Ranking` row (`Ranked`) carries score, low/high = score ± 1.96·SE (a normal 95 %
interval), rank (1, 2, 3, … — unique, after the tie-break), the number of reviews, and `tied`.

**Tied** (documented rule): ties matter only where a prize is decided, so they are flagged
around the award places, the first P places (`award_places`, default 3): for each cut between
place N and N + 1 (N = 1..P), a row is tied when its interval overlaps the interval of a row on
the other side of that cut (low ≤ other's high and high ≥ other's low). Put plainly: a row in
an award place is tied when its interval overlaps any other row's; a row below them, when it
overlaps the interval of a row in an award place. It says "the data do not tell whether this
submission belongs in (or out of) that place"; it does not change the order. (Flagging every
overlap with a neighbour would mark nearly every row of a large event, where intervals are
wider than the gaps between neighbours.)

**Tie-break** (only for scores equal to 9 decimals, which happens with raw means of small
integer scales): `tie_break="reviews"` (default: more reviews first), `"precision"` (smaller
standard error first), `None`, or a callable `key(submission) -> float` where higher wins (e.g.
the web passes the submission's mean on a chosen criterion for "higher criterion X"). Still
equal: the lower submission id first, so the order is deterministic.

**Islands**: `Ranking.islands` are the connected components of the juror–submission graph
(assignment.islands), largest first. Calibration compares jurors only through shared
submissions, so each island is anchored separately (its jurors' average bias is zero: their
average standard is taken as fair); scores of different islands are then not comparable and the
organiser must be told (`Ranking.connected` is False). Mean and z-scores are reported with the
same islands for information.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.linalg import cho_factor, cho_solve
from scipy.sparse import csr_matrix, diags

from judging.assignment import islands as graph_islands

Z95 = 1.96   # two-sided 95 % normal quantile: interval = score ± Z95 · SE
AWARD_PLACES = 3  # the podium, where the web knows no better (judging/ranking.py)
# The variance of a score spread evenly over 0..1: what is known of one review's spread when
# the event's reviews have shown none yet (_spread_estimates).
UNIFORM_VARIANCE = 1 / 12

# MacKay et al. 2017 (and their "Calibrate with confidence" tool): high, medium and low
# confidence are weights λ², 1, λ⁻² with their default confidence factor λ = 1.75.
CONFIDENCE_FACTOR = 1.75
CONFIDENCE_WEIGHTS = {"low": CONFIDENCE_FACTOR ** -2, "medium": 1.0,
                      "high": CONFIDENCE_FACTOR ** 2}

TieBreak = str | Callable[[int], float] | None
Island = tuple[frozenset[int], frozenset[int]]


@dataclass(frozen=True)
class Criterion:
    key: int
    weight: float
    minimum: int
    maximum: int


def criteria_score(values: Mapping[int, float], criteria: Sequence[Criterion]) -> float:
    """Weighted mean of the criteria, each rescaled to 0..1 by its own scale (the weighted
    rubric of every judging form; Devpost's "no weighted judging" is what this fixes):

        score = Σ_c w_c · (x_c − min_c) / (max_c − min_c)  /  Σ_c w_c

    Every criterion must have a value inside its scale; weights are ≥ 0 with a positive sum.
    Raises ValueError otherwise (the web stores partial reviews but aggregates only whole ones).
    """
    total_weight = 0.0
    total = 0.0
    for c in criteria:
        if c.maximum <= c.minimum:
            raise ValueError(f"criterion {c.key}: the scale must have two or more steps")
        if c.weight < 0:
            raise ValueError(f"criterion {c.key}: negative weight")
        if c.key not in values:
            raise ValueError(f"criterion {c.key}: no value")
        x = float(values[c.key])
        if not c.minimum <= x <= c.maximum:
            raise ValueError(f"criterion {c.key}: {x} is outside {c.minimum}..{c.maximum}")
        total += c.weight * (x - c.minimum) / (c.maximum - c.minimum)
        total_weight += c.weight
    if total_weight <= 0:
        raise ValueError("the criteria's weights must add up to more than zero")
    return total / total_weight


@dataclass(frozen=True)
class Review:
    juror: int
    submission: int
    score: float              # criteria_score, 0..1
    confidence: float = 1.0   # a weight: CONFIDENCE_WEIGHTS[...], 1.0 = medium


@dataclass(frozen=True)
class Ranked:
    submission: int
    score: float
    low: float
    high: float
    rank: int
    tied: bool
    reviews: int = 0


@dataclass(frozen=True)
class Estimate:
    """A method's result for one submission, before ranking."""
    score: float
    se: float
    reviews: int = 0


@dataclass(frozen=True)
class Ranking:
    method: str
    rows: list[Ranked]
    juror_bias: dict[int, float] = field(default_factory=dict)   # leniency, in score units
    islands: list[Island] = field(default_factory=list)

    @property
    def connected(self) -> bool:
        return len(self.islands) <= 1


def build_ranking(method: str, estimates: Mapping[int, Estimate], *,
                  juror_bias: Mapping[int, float] | None = None,
                  islands: list[Island] | None = None, tie_break: TieBreak = "reviews",
                  award_places: int = AWARD_PLACES) -> Ranking:
    """Order by score (highest first), break exact ties, number the ranks, flag overlaps
    across the award places' cuts (the module's "Tied")."""
    if tie_break == "reviews":
        def key(a: int) -> float: return estimates[a].reviews
    elif tie_break == "precision":
        def key(a: int) -> float: return -estimates[a].se
    elif tie_break is None:
        def key(a: int) -> float: return 0.0
    elif callable(tie_break):
        key = tie_break
    else:
        raise ValueError(f"unknown tie-break rule {tie_break!r}")
    order = sorted(estimates, key=lambda a: (-round(estimates[a].score, 9), -key(a), a))
    bounds = [(estimates[a].score - Z95 * estimates[a].se,
               estimates[a].score + Z95 * estimates[a].se) for a in order]

    tied = _tied(bounds, award_places)
    rows = [Ranked(submission=a, score=estimates[a].score, low=bounds[i][0], high=bounds[i][1],
                   rank=i + 1, tied=tied[i], reviews=estimates[a].reviews)
            for i, a in enumerate(order)]
    return Ranking(method=method, rows=rows, juror_bias=dict(juror_bias or {}),
                   islands=list(islands or []))


def _tied(bounds: Sequence[tuple[float, float]], award_places: int) -> list[bool]:
    """The "Tied" rule over intervals in ranked order: the union over the cuts N = 1..P of
    "overlaps a row across the cut" is, for a row in places 1..P, any other row; below, any
    row in places 1..P."""
    if award_places < 0:
        raise ValueError("award_places cannot be negative")
    places = min(award_places, len(bounds))

    def overlaps(i: int, j: int) -> bool:
        return bounds[i][0] <= bounds[j][1] and bounds[j][0] <= bounds[i][1]

    return [any(overlaps(i, j) for j in range(len(bounds)) if j != i) if i < places
            else any(overlaps(i, j) for j in range(places))
            for i in range(len(bounds))]


# ---------------------------------------------------------------------------------------------
# Shared pieces


@dataclass(frozen=True)
class _Data:
    juror: np.ndarray        # index into jurors
    submission: np.ndarray   # index into submissions
    score: np.ndarray
    weight: np.ndarray
    jurors: list[int]
    submissions: list[int]
    islands: list[Island]


def _data(reviews: Iterable[Review]) -> _Data:
    reviews = list(reviews)
    if not reviews:
        raise ValueError("no reviews to rank")
    pairs = [(r.juror, r.submission) for r in reviews]
    if len(set(pairs)) != len(pairs):
        raise ValueError("a juror has two reviews of the same submission")
    jurors = sorted({r.juror for r in reviews})
    subs = sorted({r.submission for r in reviews})
    j_index = {r: i for i, r in enumerate(jurors)}
    s_index = {a: i for i, a in enumerate(subs)}
    weight = np.array([r.confidence for r in reviews], dtype=float)
    score = np.array([r.score for r in reviews], dtype=float)
    if not np.all(np.isfinite(score)) or not np.all(np.isfinite(weight)) or np.any(weight <= 0):
        raise ValueError("scores must be finite and confidences positive")
    return _Data(juror=np.array([j_index[r.juror] for r in reviews]),
                 submission=np.array([s_index[r.submission] for r in reviews]),
                 score=score, weight=weight, jurors=jurors, submissions=subs,
                 islands=graph_islands(pairs))


def _pooled_variance(groups: np.ndarray, values: np.ndarray, n_groups: int) -> tuple:
    """Per-group sample variance s_g² (ddof 1; 0 where a group has one value), the group sizes
    n_g, the group means, and the pooled within-group variance
        s_p² = Σ_g (n_g − 1) s_g² / Σ_g (n_g − 1),
    falling back to the variance of all values when no group has two (no replication)."""
    n = np.bincount(groups, minlength=n_groups).astype(float)
    mean = np.bincount(groups, values, minlength=n_groups) / n
    dev2 = np.bincount(groups, (values - mean[groups]) ** 2, minlength=n_groups)
    dof = n - 1
    var = np.divide(dev2, dof, out=np.zeros(n_groups), where=dof > 0)
    pooled = dev2.sum() / dof.sum() if dof.sum() > 0 else float(np.var(values))
    return var, n, mean, pooled


def _shrunk(var: np.ndarray, n: np.ndarray, pooled: float, n0: float) -> np.ndarray:
    """Credibility-weighted variance (Bühlmann 1967; the empirical-Bayes pooling of a group's
    variance toward the common one): with ν = n − 1 degrees of freedom,
        s̃² = Z·s² + (1 − Z)·s_p²,   Z = ν / (ν + n0),
    i.e. the common variance counts as n0 extra degrees of freedom."""
    nu = np.maximum(n - 1, 0)
    z = np.divide(nu, nu + n0, out=np.zeros_like(nu), where=nu > 0)   # one value: Z = 0
    return z * var + (1 - z) * pooled


def _spread_estimates(d: _Data, values: np.ndarray, n0: float) -> dict[int, Estimate]:
    """Score = mean of a submission's values; SE = s̃/√n with s̃² the submission's sample
    variance shrunk toward the pooled within-submission variance s_p² (_shrunk, n0 as given):
    the spread of its own reviews, stabilised for the usual 2–5 reviews. With one review, the
    pooled spread alone: SE = s_p.

    s_p² = 0 says only that no two reviews of a submission have differed yet (a few reviews,
    equal scores on a short scale), never that a lone review is certain: then the variance of
    all the event's review values stands in, and where they are all equal too (or there is one
    review) UNIFORM_VARIANCE, so no interval is ever empty for want of data."""
    n_sub = len(d.submissions)
    var, n, mean, pooled = _pooled_variance(d.submission, values, n_sub)
    if pooled <= 0:
        pooled = float(np.var(values)) or UNIFORM_VARIANCE
    se = np.sqrt(_shrunk(var, n, pooled, n0) / n)
    return {a: Estimate(float(mean[i]), float(se[i]), int(n[i]))
            for i, a in enumerate(d.submissions)}


def _leniency(d: _Data) -> dict[int, float]:
    """A juror's mean score minus the mean of all scores (descriptive leniency)."""
    means = np.bincount(d.juror, d.score, len(d.jurors)) / np.bincount(d.juror, minlength=len(d.jurors))
    overall = float(d.score.mean())
    return {r: float(means[i] - overall) for i, r in enumerate(d.jurors)}


# ---------------------------------------------------------------------------------------------
# 1. The mean


def raw_mean(reviews: Iterable[Review], *, shrinkage: float = 5.0,
             tie_break: TieBreak = "reviews", award_places: int = AWARD_PLACES) -> Ranking:
    """The plain mean of a submission's review scores (every platform's baseline):

        score_a = (1/n_a) Σ_{r ∈ R(a)} s_ra

    SE from the spread of its reviews (see _spread_estimates; `shrinkage` = n0). `juror_bias`
    is each juror's mean minus the overall mean, for information only: nothing is corrected."""
    d = _data(reviews)
    return build_ranking("mean", _spread_estimates(d, d.score, shrinkage),
                         juror_bias=_leniency(d), islands=d.islands, tie_break=tie_break,
                         award_places=award_places)


# ---------------------------------------------------------------------------------------------
# 2. Per-juror z-scores with shrunk spreads


def z_scores(reviews: Iterable[Review], *, shrinkage: float = 5.0, min_reviews: int = 3,
             tie_break: TieBreak = "reviews", award_places: int = AWARD_PLACES) -> Ranking:
    """Per-juror standardisation (the usual "normalise each judge" of panel practice), with
    each juror's spread shrunk toward the panel's:

        z_ra = (s_ra − m_r) / s̃_r        m_r = juror r's mean score
        s̃_r² = Z_r s_r² + (1 − Z_r) s_p²   Z_r = ν_r/(ν_r + n0), ν_r = n_r − 1  (_shrunk)
        s_p² = Σ_r ν_r s_r² / Σ_r ν_r      pooled within-juror variance

    A juror with fewer than `min_reviews` (3) reviews is only centred: s̃_r = s_p (a spread from
    one or two scores means nothing). Reported on the score scale,

        y_ra = ḡ + s_p · z_ra,   score_a = mean of y_ra over a's reviews

    (ḡ the mean of all scores; a common increasing map, so the order is that of mean z), with
    SE from the spread of the y_ra as for the mean (`shrinkage` is n0 there too).

    Invariance (exact): adding a constant to one juror's scores changes nothing but a common
    shift of every score (m_r absorbs it; s_p is a within-juror spread). Multiplying one
    juror's scores by a > 0 as well leaves the order exactly unchanged when `shrinkage` = 0 and
    every juror has at least `min_reviews` reviews; with shrinkage > 0 it is approximate by
    design (a juror's spread is partly the panel's). `juror_bias` is m_r − ḡ.
    """
    d = _data(reviews)
    n_jur = len(d.jurors)
    var, n, mean, pooled = _pooled_variance(d.juror, d.score, n_jur)
    if pooled <= 0:
        pooled = 1.0   # every juror gave one score throughout: nothing to scale by
    spread2 = np.where(n >= min_reviews, _shrunk(var, n, pooled, shrinkage), pooled)
    # A juror who gave one score throughout (up to rounding noise) has no spread of their own:
    # dividing by a spread of 1e-23 would turn that noise into their whole ranking.
    spread = np.sqrt(np.where(spread2 > 1e-12 * pooled, spread2, pooled))
    z = (d.score - mean[d.juror]) / spread[d.juror]
    y = float(d.score.mean()) + math.sqrt(pooled) * z
    return build_ranking("zscore", _spread_estimates(d, y, shrinkage),
                         juror_bias=_leniency(d), islands=d.islands, tie_break=tie_break,
                         award_places=award_places)


# ---------------------------------------------------------------------------------------------
# 3. Calibration with confidence


@dataclass(frozen=True)
class Calibration:
    """The fitted model behind `calibrated`, for tests and the organiser's juror page."""
    quality: dict[int, float]     # v_a
    se: dict[int, float]          # standard error of v_a
    bias: dict[int, float]        # b_r (each island: mean over its jurors is 0)
    residual_variance: float      # σ̂²
    reviews: dict[int, int]       # number of reviews per submission
    islands: list[Island]


def calibrate(reviews: Iterable[Review], *, regularisation: float = 0.25) -> Calibration:
    """Calibration with confidence (MacKay, Kenna, Low & Parker, R. Soc. Open Sci. 4:160760,
    2017; the reviewer model of Platt & Burges for NIPS 2012 and of Ge, Welling & Ghahramani):

        s_ra = v_a + b_r + ε_ra,   ε_ra ~ N(0, σ²/c_ra)

    v_a the submission's quality, b_r the juror's bias (leniency > 0, severity < 0), c_ra the
    review's confidence weight. Estimate by regularised weighted least squares:

        minimise  E(v, b) = Σ_ra c_ra (s_ra − v_a − b_r)² + λ Σ_a v_a²

    The data fix v and b only up to a constant per island (v + t, b − t fit equally well);
    the ridge λ (a Gaussian prior v_a ~ N(0, σ²/λ) as in Platt & Burges) makes the normal
    equations regular and shrinks a submission with few or low-confidence reviews toward its
    island's mean (λ is in units of one medium-confidence review). The reported solution is
    then moved along the free direction to MacKay's gauge — per island I, Σ_{r∈I} b_r = 0 —
    which leaves every residual unchanged:

        v'_a = v_a + b̄_I,   b'_r = b_r − b̄_I,   b̄_I = (1/|I|) Σ_{r∈I} b_r

    Normal equations, with D = diag(C_a + λ) (C_a = Σ_r c_ra), W the S×J matrix of c_ra,
    C_b = diag(Σ_a c_ra), y_a = Σ_r c_ra s_ra, y_r = Σ_a c_ra s_ra:

        [ D   W  ] [v]   [y_sub]
        [ Wᵀ  C_b] [b] = [y_jur]

    solved by eliminating v (D is diagonal): the J×J Schur complement S = C_b − Wᵀ D⁻¹ W,
    S b = y_jur − Wᵀ D⁻¹ y_sub (Cholesky), v = D⁻¹ (y_sub − W b).

    Uncertainty: Cov(v, b) = σ̂² H⁻¹ (H the matrix above), with the residual variance

        σ̂² = Σ c_ra (s_ra − v'_a − b'_r)² / (N − S − J + #islands)

    (N reviews; the unregularised degrees of freedom). With none left (e.g. one juror, or a
    design that is a tree) noise cannot be told from quality: σ̂² is then the pooled
    within-juror variance of the scores (_pooled_variance), so the intervals are wide on purpose. The SE of the reported
    v'_a = v_a + b̄_I uses the blocks H⁻¹_bb = S⁻¹, H⁻¹_vb = −D⁻¹ W S⁻¹,
    H⁻¹_vv = D⁻¹ + D⁻¹ W S⁻¹ Wᵀ D⁻¹:

        Var(v'_a)/σ̂² = [H⁻¹_vv]_aa + 2 mean_{r∈I} [H⁻¹_vb]_ar + mean_{r,r'∈I} [S⁻¹]_rr'

    Invariance (exact): adding δ to one juror's scores moves that juror's b by δ and every
    submission of its island by the same δ/|I|, so the order is unchanged; a common positive
    affine map of all scores maps every v' by the same map. Scaling one juror's scores is not
    absorbed (the model is additive: a juror who spreads scores twice as wide is not corrected;
    z_scores is the method for that).
    """
    if not regularisation > 0:
        raise ValueError("regularisation must be positive")
    d = _data(reviews)
    n_sub, n_jur = len(d.submissions), len(d.jurors)
    c, s = d.weight, d.score
    W = csr_matrix((c, (d.submission, d.juror)), shape=(n_sub, n_jur))
    Dv = np.bincount(d.submission, c, n_sub) + regularisation
    Cb = np.bincount(d.juror, c, n_jur)
    y_sub = np.bincount(d.submission, c * s, n_sub)
    y_jur = np.bincount(d.juror, c * s, n_jur)

    M = diags(1.0 / Dv) @ W                                   # D⁻¹ W, sparse S×J
    schur = np.diag(Cb) - (W.T @ M).toarray()
    factor = cho_factor(schur)
    b = cho_solve(factor, y_jur - M.T @ y_sub)
    v = (y_sub - W @ b) / Dv

    # The gauge: each island's jurors have mean bias 0.
    s_index = {a: i for i, a in enumerate(d.submissions)}
    j_index = {r: i for i, r in enumerate(d.jurors)}
    island_of_sub = np.empty(n_sub, dtype=int)
    island_of_jur = np.empty(n_jur, dtype=int)
    for k, (jurs, subs) in enumerate(d.islands):
        island_of_jur[[j_index[r] for r in jurs]] = k
        island_of_sub[[s_index[a] for a in subs]] = k
    n_isl = len(d.islands)
    size = np.bincount(island_of_jur, minlength=n_isl).astype(float)
    b_mean = np.bincount(island_of_jur, b, n_isl) / size
    v_gauged = v + b_mean[island_of_sub]
    b_gauged = b - b_mean[island_of_jur]

    residual = s - v_gauged[d.submission] - b_gauged[d.juror]
    dof = len(s) - n_sub - n_jur + n_isl
    if dof > 0:
        sigma2 = float(c @ residual ** 2) / dof
    else:   # no replication: as unsure as the jurors' own spread (invariant to their shifts)
        sigma2 = _pooled_variance(d.juror, s, n_jur)[3]

    inv_schur = cho_solve(factor, np.eye(n_jur))
    P = np.asarray(M @ inv_schur)                              # D⁻¹ W S⁻¹, dense S×J
    var_v = 1.0 / Dv + np.asarray(M.multiply(P).sum(axis=1)).ravel()
    cov_v_bmean = -P.sum(axis=1) / size[island_of_sub]         # P is 0 outside a's island
    in_island = island_of_jur[:, None] == island_of_jur[None, :]
    var_bmean = np.bincount(island_of_jur, (inv_schur * in_island).sum(axis=1), n_isl) / size ** 2
    var_gauged = var_v + 2 * cov_v_bmean + var_bmean[island_of_sub]
    se = np.sqrt(np.maximum(var_gauged, 0.0) * sigma2)

    return Calibration(
        quality={a: float(v_gauged[i]) for i, a in enumerate(d.submissions)},
        se={a: float(se[i]) for i, a in enumerate(d.submissions)},
        bias={r: float(b_gauged[i]) for i, r in enumerate(d.jurors)},
        residual_variance=sigma2,
        reviews={a: int(n) for a, n in zip(d.submissions, np.bincount(d.submission, minlength=n_sub))},
        islands=d.islands)


def calibrated(reviews: Iterable[Review], *, regularisation: float = 0.25,
               tie_break: TieBreak = "reviews", award_places: int = AWARD_PLACES) -> Ranking:
    """Ranking by calibrate()'s v'_a ± 1.96·SE; `juror_bias` is b'_r (the leniency shown to
    the organiser); islands anchored separately, as the module docstring says."""
    fit = calibrate(reviews, regularisation=regularisation)
    estimates = {a: Estimate(fit.quality[a], fit.se[a], fit.reviews[a]) for a in fit.quality}
    return build_ranking("calibrated", estimates, juror_bias=fit.bias, islands=fit.islands,
                         tie_break=tie_break, award_places=award_places)


METHODS: dict[str, Callable[..., Ranking]] = {
    "mean": raw_mean, "zscore": z_scores, "calibrated": calibrated}


# ---------------------------------------------------------------------------------------------
# People's choice


def blend(jury: Ranking, votes: Mapping[int, int], public_weight: float, *,
          tie_break: TieBreak = "reviews", award_places: int = AWARD_PLACES) -> Ranking:
    """Mix the public vote into the jury's ranking at `public_weight` w (0..1):

        J_a = (score_a − min score) / (max score − min score)    jury, min–max to 0..1
        V_a = p_a / max_b p_b,   p_a = votes_a / Σ votes          vote share, top share = 1
        score_a = (1 − w)·J_a + w·V_a

    The jury's scale has no natural zero (calibrated scores may sit anywhere), so it is
    stretched to 0..1; votes do have one (no votes = 0), so the share is divided by the
    largest share, keeping proportions. All jury scores equal: J_a = 1. No votes at all: V_a = 0.
    Intervals: the jury's SE mapped by the same stretch, and the share's binomial SE
    √(p(1 − p)/N)/max p, combined as √(((1−w)·SE_J)² + (w·SE_V)²). Only submissions in the
    jury's ranking are ranked (votes for others are ignored); missing ones have 0 votes.
    Method is "<jury method>+votes"; juror_bias and islands are the jury's.
    """
    if not 0.0 <= public_weight <= 1.0:
        raise ValueError("public_weight must be between 0 and 1")
    if any(n < 0 for n in votes.values()):
        raise ValueError("vote counts cannot be negative")
    rows = jury.rows
    if not rows:
        return Ranking(method=f"{jury.method}+votes", rows=[], juror_bias=dict(jury.juror_bias),
                       islands=list(jury.islands))
    lo = min(r.score for r in rows)
    hi = max(r.score for r in rows)
    stretch = 1.0 / (hi - lo) if hi > lo else 0.0
    total = sum(max(votes.get(r.submission, 0), 0) for r in rows)
    shares = {r.submission: votes.get(r.submission, 0) / total if total else 0.0 for r in rows}
    top = max(shares.values())
    w = public_weight
    estimates = {}
    for r in rows:
        jury01 = (r.score - lo) * stretch if stretch else 1.0
        jury_se = (r.high - r.low) / (2 * Z95) * stretch
        p = shares[r.submission]
        vote01 = p / top if top else 0.0
        vote_se = math.sqrt(p * (1 - p) / total) / top if top else 0.0
        estimates[r.submission] = Estimate(
            (1 - w) * jury01 + w * vote01,
            math.hypot((1 - w) * jury_se, w * vote_se), r.reviews)
    return build_ranking(f"{jury.method}+votes", estimates, juror_bias=jury.juror_bias,
                         islands=jury.islands, tie_break=tie_break, award_places=award_places)
