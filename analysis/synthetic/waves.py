"""Calibrated synthetic survey waves (2017, 2018): no real respondent, ever.

Each wave is drawn from one documented parameter file, ``analysis/synthetic/params/wave_<year>.yaml``,
with a fixed seed. The model, in order:

1. **Who answered**: demographics drawn as exact counts from the stated shares, then shuffled.
2. **Working conditions**: true HSE scale scores from a multivariate normal (means, SDs, one common
   correlation), shifted by sector and, as a stated assumption, for black and minority ethnic
   respondents; turned into item answers on the instrument's own 1-5 scale. Each item is the
   true score plus item noise, rounded and clipped; the noise is set from the scale's target alpha.
   Reverse-keyed items are stored as a respondent would tick them, so scoring recovers the latent
   direction.
3. **Stress** (PSS-4): true stress from the *observed* HSE scale scores through the slopes (and, for
   2017, interactions) in the parameter file, so that a regression of PSS-4 on the scales recovers
   them; turned into PSS-4 answers the same way.
4. **Outcomes** from the z-scored observed scores: binary outcomes by logistic draws whose intercept
   is solved so the expected prevalence is the stated one; ordinal outcomes from a latent score cut
   at its quantiles so the category shares are the stated ones; sickness days from a negative
   binomial; extra hours from a gamma scaled to the stated mean.
5. **Wellbeing** scales (WRQoL, UWES-9, SWEMWBS) from one factor driven by stress and conditions.
6. **Item non-response** at the stated rate; **exclusions** (empty returns, non-registered
   respondents) added as extra returns so the exclusions log has something true to say.

The numbers each step uses are in the parameter file, each with its source or marked ASSUMPTION.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from scipy import optimize, special

from ..reading.dictionary import load_dictionary
from ..instruments import load_instruments
from ..measures.scoring import score_instrument

PARAMS_DIR = Path(__file__).resolve().parent / "params"


def available_waves() -> list[str]:
    """Wave labels that have a parameter file, e.g. ``['2017', '2018']``."""
    return sorted(p.stem.removeprefix("wave_") for p in PARAMS_DIR.glob("wave_*.yaml"))


@lru_cache(maxsize=8)
def _read_params(path: str) -> dict:
    return yaml.safe_load(Path(path).read_text(encoding="utf-8"))


def load_params(wave: str | int) -> dict:
    """The parameter set of a synthetic wave (a fresh copy).

    Examples
    --------
    >>> load_params(2018)["n_analysable"]
    3421
    """
    path = PARAMS_DIR / f"wave_{wave}.yaml"
    if not path.exists():
        raise ValueError(f"no synthetic parameters for wave {wave!r}; available: {available_waves()}")
    import copy

    return copy.deepcopy(_read_params(str(path)))


def exact_shares(shares: dict, n: int, rng) -> np.ndarray:
    """``n`` values with counts as close to ``shares`` as whole numbers allow (largest
    remainders), in random order.

    Examples
    --------
    >>> v = exact_shares({"a": 0.5, "b": 0.3, "c": 0.2}, 10, np.random.default_rng(0))
    >>> sorted(v.tolist()).count("b")
    3
    """
    keys = list(shares)
    p = np.array([shares[k] for k in keys], dtype=float)
    p = p / p.sum()
    counts = np.floor(p * n).astype(int)
    short = n - counts.sum()
    order = np.argsort(-(p * n - counts), kind="stable")
    counts[order[:short]] += 1
    values = np.repeat(np.array(keys, dtype=object), counts)
    return values[rng.permutation(n)]


def item_noise_sd(true_sd: float, k: int, alpha: float) -> float:
    """Item noise SD giving Cronbach's alpha ``alpha`` for ``k`` items that each equal a true score
    of SD ``true_sd`` plus independent noise (Spearman-Brown: r = alpha / (k - (k - 1) alpha))."""
    r = alpha / (k - (k - 1) * alpha)
    return float(true_sd * np.sqrt((1 - r) / r))


def draw_items(true: np.ndarray, true_sd: float, k: int, lo: int, hi: int, alpha: float, rng) -> np.ndarray:
    """Item answers (n x k) from true scores on the item metric: true + item offset + noise,
    rounded and clipped to lo..hi. Offsets (mean 0) make items differ a little in difficulty."""
    n = len(true)
    offsets = rng.uniform(-0.25, 0.25, k)
    offsets -= offsets.mean()
    noise = rng.standard_normal((n, k)) * item_noise_sd(true_sd, k, alpha)
    return np.clip(np.round(true[:, None] + offsets[None, :] + noise), lo, hi)


def _shift(frame: pd.DataFrame, shifts: dict | None) -> np.ndarray:
    """Sum of the stated shifts: ``{bme: value}`` or ``{column: {category: value}}``."""
    out = np.zeros(len(frame))
    for column, spec in (shifts or {}).items():
        if isinstance(spec, dict):
            values = frame[column].astype(object).to_numpy()
            for category, value in spec.items():
                out += np.where(values == category, float(value), 0.0)
        else:
            out += np.where(frame[column].to_numpy(dtype=float) == 1, float(spec), 0.0)
    return out


def _z(x: np.ndarray) -> np.ndarray:
    """z-scores, with missing values at 0 (the mean)."""
    x = np.asarray(x, dtype=float)
    z = (x - np.nanmean(x)) / np.nanstd(x)
    return np.where(np.isnan(z), 0.0, z)


def _linear(predictors: dict, slopes: dict) -> np.ndarray:
    n = len(next(iter(predictors.values())))
    out = np.zeros(n)
    for name, slope in (slopes or {}).items():
        out += float(slope) * predictors[name]
    return out


def _ordinal(lin: np.ndarray, shares: list, rng) -> np.ndarray:
    latent = lin + rng.logistic(size=len(lin))
    cuts = np.quantile(latent, np.cumsum(shares)[:-1])
    return np.searchsorted(cuts, latent, side="right").astype(float)


def _binary(lin: np.ndarray, prevalence: float, group: np.ndarray, rng) -> np.ndarray:
    def gap(a):
        return special.expit(a + lin[group]).mean() - prevalence

    a = optimize.brentq(gap, -20, 20, xtol=1e-12)
    return (rng.random(len(lin)) < special.expit(a + lin)).astype(float)


def _count(lin: np.ndarray, mean: float, dispersion: float, rng) -> np.ndarray:
    mu = mean * np.exp(lin) / np.exp(lin).mean()
    # Negative binomial as a gamma-Poisson mixture: variance mu + mu^2 / dispersion.
    return rng.poisson(rng.gamma(dispersion, mu / dispersion)).astype(float)


def generate_wave(wave: str | int) -> pd.DataFrame:
    """Draw a synthetic wave in canonical format, excluded returns included.

    Parameters
    ----------
    wave : str or int
        A wave with a parameter file (see :func:`available_waves`).

    Returns
    -------
    DataFrame
        Canonical columns in dictionary order: ``respondent_id`` (e.g. ``S18-00001``), ``wave``,
        item answers of the wave's instruments (raw, as ticked; NaN = no answer), outcomes,
        working hours and demographics. Returns to be excluded (empty returns, respondents who are
        not registered social workers) are included, as a real export would hold them.
    """
    p = load_params(wave)
    rng = np.random.default_rng(p["seed"])
    insts = {i.id: i for i in load_instruments()}
    use = p.get("instruments", list(insts))
    excluded = p.get("excluded") or {}
    n = p["n_analysable"] + sum(excluded.values())
    d = pd.DataFrame({"respondent_id": [f"{p['id_prefix']}{i:05d}" for i in range(1, n + 1)],
                      "wave": str(p["wave"])})

    demo = p["demographics"]
    for column in ("nation", "sector", "role", "employer", "gender", "age_band", "ethnicity"):
        d[column] = exact_shares(demo[column], n, rng)
    yq = demo["years_qualified"]
    d["years_qualified"] = np.clip(np.round(rng.normal(yq["mean"], yq["sd"], n)), 0, yq["max"])
    d["disability"] = (rng.random(n) < demo["disability"]).astype(float)
    bme = d["ethnicity"].isin(["black", "asian", "mixed", "other"]).astype(float)
    d["bme"] = bme  # helper column for shifts; dropped before returning

    alpha = p["reliability"]
    items = {}

    def add_items(inst, scale_items, true, true_sd, name):
        k = len(scale_items)
        keyed = draw_items(true, true_sd, k, inst.answer_min, inst.answer_max,
                           alpha.get(name, alpha["default"]), rng)
        for j, item in enumerate(scale_items):
            answer = keyed[:, j]
            if item in inst.reverse:
                answer = inst.answer_min + inst.answer_max - answer
            items[item] = answer

    def with_missing(inst):
        for item in inst.items:
            items[item][rng.random(n) < p["item_missing_rate"]] = np.nan
        return score_instrument(pd.DataFrame({c: items[c] for c in inst.items}), inst)

    # 2. Working conditions.
    wc = p["working_conditions"]
    hse = insts["hse_mit"]
    names = [s.name for s in hse.scales]
    sd = np.array([wc["sd"][s] for s in names])
    corr = np.full((len(names), len(names)), wc["correlation"])
    np.fill_diagonal(corr, 1.0)
    true = rng.multivariate_normal([wc["means"][s] for s in names], corr * np.outer(sd, sd), size=n)
    for group, spec in (wc.get("shifts") or {}).items():
        for j, s in enumerate(names):
            if group == "bme":
                true[:, j] += bme.to_numpy() * spec.get(s, 0.0)
            else:
                for category, scale_shifts in spec.items():
                    true[:, j] += np.where(d[group] == category, scale_shifts.get(s, 0.0), 0.0)
    for j, scale in enumerate(hse.scales):
        add_items(hse, scale.items, true[:, j], sd[j], scale.name)
    observed = with_missing(hse)

    # 3. Stress from the observed scale scores (missing scores at the mean).
    st = p["stress"]
    centred = {s: np.nan_to_num(observed[s].to_numpy() - observed[s].mean()) for s in names}
    stress = st["mean"] + _linear(centred, st["slopes"])
    products = [np.prod([centred[s] for s in term.split("*")], axis=0) for term in st.get("interactions") or {}]
    for product, coef in zip(products, (st.get("interactions") or {}).values()):
        stress += float(coef) * product
    # The residual is made orthogonal to the seven observed scales (and the interaction terms), so
    # that in the sample, not only in the population, stress depends on them exactly as stated.
    design = np.column_stack([np.ones(n)] + [centred[s] for s in names] + products)
    noise = rng.normal(0, st["sd"], n)
    noise -= design @ np.linalg.lstsq(design, noise, rcond=None)[0]
    stress += _shift(d, st.get("shifts")) + noise * st["sd"] / noise.std()
    pss = insts["pss4"]
    stress_sd = float(np.std(stress))
    add_items(pss, pss.items, stress, stress_sd, "pss4")
    pss4 = with_missing(pss)["pss4"].to_numpy()

    # 4. Outcomes from z-scored observed scores.
    z = {s: _z(observed[s]) for s in names} | {"pss4": _z(pss4)}
    for column, spec in p["outcomes"].items():
        lin = _linear(z, spec.get("slopes")) + _shift(d, spec.get("shifts"))
        if spec["kind"] == "ordinal":
            d[column] = _ordinal(lin, spec["shares"], rng) + load_dictionary()[column].min
        elif spec["kind"] == "binary":
            group = np.ones(n, bool)
            for gcol, gval in (spec.get("group") or {}).items():
                group &= (d[gcol] == gval).to_numpy()
            d[column] = _binary(lin, spec["prevalence"], group, rng)
        else:
            d[column] = _count(lin, spec["mean"], spec["dispersion"], rng)

    hours = p["hours"]
    d["hours_contracted"] = exact_shares({float(k): v for k, v in hours["contracted"].items()}, n, rng).astype(float)
    over = rng.random(n) < hours["working_over_share"]
    raw_extra = rng.gamma(hours["gamma_shape"], 1.0, n) * np.exp(_linear(z, hours.get("slopes")))
    extra = np.where(over, raw_extra, 0.0)
    extra *= hours["extra_mean"] / extra.mean()
    d["hours_actual"] = np.clip(d["hours_contracted"] + np.round(extra * 2) / 2, 0, 100)

    # 5. Wellbeing scales from one factor.
    wb = p.get("wellbeing")
    if wb:
        factor = _linear(z, wb["factor"])
        factor = factor + rng.standard_normal(n) * np.sqrt(max(1e-9, 1 - factor.var()))
        factor = (factor - factor.mean()) / factor.std()
        for inst_id in ("wrqol", "uwes9", "swemwbs"):
            if inst_id not in use:
                continue
            inst = insts[inst_id]
            for scale in inst.scales:
                if scale.name not in wb["scales"]:
                    continue
                mean, sd_s, loading = wb["scales"][scale.name]
                t = mean + sd_s * (loading * factor + np.sqrt(1 - loading**2) * rng.standard_normal(n))
                add_items(inst, scale.items, t, sd_s, scale.name)
            if inst_id == "wrqol":
                mean, sd_s, loading = wb["wrqol_24"]
                t = mean + sd_s * (loading * factor + np.sqrt(1 - loading**2) * rng.standard_normal(n))
                items["wrqol_24"] = np.clip(np.round(t + rng.normal(0, 0.5, n)), 1, 5)
            with_missing(inst)

    for column in ("job_satisfaction", "intend_leave_job", "intend_leave_profession", "hours_actual",
                   "presenteeism_12m", "aggression_service_users"):
        d.loc[rng.random(n) < p["item_missing_rate"], column] = np.nan
    for column in ("sector", "role", "employer", "gender", "age_band", "ethnicity", "nation"):
        d.loc[rng.random(n) < p["category_missing_rate"], column] = None

    # 6. Excluded returns, as extra rows at random positions.
    cols = {c: items[c] for i in insts.values() if i.id in use for c in i.items}
    d = pd.concat([d.drop(columns="bme"), pd.DataFrame(cols)], axis=1)
    chosen = rng.permutation(n)
    start = 0
    for rule, count in excluded.items():
        rows = chosen[start:start + count]
        start += count
        if rule == "empty_return":
            d.loc[rows, list(cols)] = np.nan
        elif rule == "not_registered":
            d.loc[rows, "role"] = "other"
        else:
            raise ValueError(f"unknown exclusion kind {rule!r} in wave {wave} parameters")
    return d[load_dictionary().order(d.columns)]
