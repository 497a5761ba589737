"""Matching from Python: referential, scoring, documents with rejected records, scores and
explanations against the golden files, the numeric index against a brute-force reference, and
the assignment solvers against scipy."""

import json
import math
import pickle

import numpy as np
import pytest

import aiguillage
from conftest import ROOT

OFFERS = ROOT / "examples" / "data" / "offers-subset.jsonl"
PROFILES = ROOT / "examples" / "data" / "profiles-subset.jsonl"
SCORING = ROOT / "rules" / "matching" / "scoring-default.json"
GOLDEN = ROOT / "tests" / "golden" / "matching"


@pytest.fixture(scope="module")
def ref():
    return aiguillage.Referential.bundled()


@pytest.fixture(scope="module")
def scoring():
    return aiguillage.Scoring.load(SCORING)


@pytest.fixture(scope="module")
def offers(ref):
    return aiguillage.Offers(OFFERS, ref)


@pytest.fixture(scope="module")
def profiles(ref):
    return aiguillage.Profiles(PROFILES, ref)


def by_id(documents, doc_id):
    return next(d for d in documents if d.id == doc_id)


# -- referential and scoring --------------------------------------------------------------------
def test_bundled_referential(ref):
    stats = ref.statistics
    assert stats["fiches"] > 0 and stats["competences"] > 0 and stats["coherence_links"] > 0
    assert ref.item_count >= stats["competences"]
    item = ref.item("300645")
    assert item["label"] == "Préparer les commandes en suivant les procédures"
    assert item["kind"] == "rome_competence"
    fiche = ref.occupation("N1103")
    assert fiche["label"] == "Préparateur / Préparatrice de commandes"
    assert "N1105" in fiche["mobility"]
    assert ("110098", "principal") in fiche["items"] or any(c == "110098" for c, _ in fiche["items"])
    assert ref.item("no-such-code") is None and ref.occupation("Z9999") is None
    columns = ref.items()
    assert len(columns["code"]) == ref.item_count == len(columns["label"])
    # Pickles as its folder: the same object again in this process.
    assert pickle.loads(pickle.dumps(ref)) is ref


def test_referential_with_esco(tmp_path):
    esco = ROOT / "tests" / "matching" / "data" / "esco-mini"
    ref = aiguillage.Referential.load(aiguillage.bundled_referential_dir(), esco)
    stats = ref.statistics
    assert stats["esco_skills"] > 0 and stats["esco_occupations"] > 0
    columns = ref.items()
    skill = columns["code"][columns["kind"].index("esco_skill")]
    assert ref.item(skill)["kind"] == "esco_skill"
    assert ref.item_count > aiguillage.Referential.bundled().item_count
    with pytest.raises(aiguillage.ReferentialError) as info:
        aiguillage.Referential.load(aiguillage.bundled_referential_dir(), tmp_path)
    assert info.value.code < 0


def test_referential_errors(tmp_path):
    with pytest.raises(aiguillage.ReferentialError) as info:
        aiguillage.Referential.load(tmp_path / "missing")
    assert info.value.code < 0 and isinstance(info.value, aiguillage.Error)


def test_scoring(scoring):
    default = aiguillage.Scoring()
    assert default.id == "default"
    assert math.isclose(sum(default.to_dict()["weights"].values()), 1.0)
    assert set(scoring.to_dict()["weights"]) == set(default.to_dict()["weights"])
    doc = json.loads(SCORING.read_text(encoding="utf-8"))
    assert aiguillage.Scoring.from_json(doc).to_dict() == scoring.to_dict()
    bad = dict(doc)
    bad["weights"] = dict(doc.get("weights", {}), distance=float("nan"))
    with pytest.raises(aiguillage.MatchingInputError) as info:
        aiguillage.Scoring.from_json(json.dumps(bad).replace("NaN", '"x"'))
    assert info.value.pointer.startswith("/weights")
    assert pickle.loads(pickle.dumps(scoring)).to_dict() == scoring.to_dict()


# -- documents --------------------------------------------------------------------------------------
def test_documents_from_file(offers, profiles):
    assert len(offers) == 50 and offers.rejected == []
    assert len(profiles) == 6 and profiles.rejected == []
    assert profiles.ids[0] == "P0001" and offers[0].id == offers.ids[0]
    assert offers[-1].id == offers.ids[-1]
    assert profiles[0].target_rome == ["N1103"]
    assert [o.id for o in offers] == offers.ids
    with pytest.raises(IndexError):
        offers[50]
    with pytest.raises(IndexError):
        offers[-51]
    assert offers[0].departement == offers[0].place["label"].split(" - ")[0] == "02"


def test_bad_records_are_rejected_alone(ref):
    lines = OFFERS.read_text(encoding="utf-8").splitlines()
    good = [json.loads(line) for line in lines[:3]]
    bad_type = dict(good[1], nombrePostes="three")
    records = [good[0], bad_type, "{not json", lines[2]]
    docs = aiguillage.Offers(records, ref)
    assert docs.ids == [good[0]["id"], good[2]["id"]]
    assert docs.lines == [1, 4]
    assert [r["line"] for r in docs.rejected] == [2, 3]
    first, second = docs.rejected
    assert first["pointer"] == "/nombrePostes" and first["code"] < 0 and first["message"]
    assert second["name"] == "json_syntax"
    # JSON Lines text keeps the file's line numbers.
    text = "\n".join([lines[0], json.dumps(bad_type), "", lines[2]])
    docs = aiguillage.Offers(text, ref)
    assert docs.lines == [1, 4] and [r["line"] for r in docs.rejected] == [2]
    # One bad document given alone to score() is an exception with its pointer.
    profile = json.loads(PROFILES.read_text(encoding="utf-8").splitlines()[0])
    with pytest.raises(aiguillage.MatchingInputError) as info:
        aiguillage.score(profile, bad_type, referential=ref)
    assert info.value.pointer == "/nombrePostes"


# -- scores and explanations ---------------------------------------------------------------------------
def test_score_is_the_sum_of_its_parts(profiles, offers, scoring):
    for p in profiles:
        for o in offers:
            s = aiguillage.score(p, o, scoring=scoring)
            total = s["intercept"] + sum(t["contribution"] for t in s["terms"]) + sum(
                q["contribution"] for q in s["penalties"])
            assert s["score"] == pytest.approx(total, abs=1e-12)
            assert len(s["terms"]) == 9
            for t in s["terms"]:
                assert t["contribution"] == pytest.approx(t["weight"] * t["feature"])
                assert 0.0 <= t["feature"] <= 1.0


def test_dicts_score_like_documents(ref, profiles, offers, scoring):
    p_dict = json.loads(PROFILES.read_text(encoding="utf-8").splitlines()[0])
    o_text = OFFERS.read_text(encoding="utf-8").splitlines()[7]
    assert aiguillage.score(p_dict, o_text, referential=ref, scoring=scoring) == \
        aiguillage.score(profiles[0], offers[7], scoring=scoring)


def reference_rank(profile, offer, offers, scoring):
    """1-based rank of `offer` among `offers`: not excluded first, score desc, id asc."""
    scored = [(aiguillage.score(profile, o, scoring=scoring), o.id) for o in offers]
    order = sorted(scored, key=lambda x: (x[0]["excluded"], -x[0]["score"], x[1]))
    return [i for _, i in order].index(offer.id) + 1


@pytest.mark.parametrize("name,profile_id,offer_id,persons", [
    ("p0001-ex00041", "P0001", "EX00041", False),
    ("p0002-ex00005", "P0002", "EX00005", False),
    ("p0003-ex00018", "P0003", "EX00018", False),
    ("p0005-ex00040-candidates", "P0005", "EX00040", True),
])
def test_explanations_match_the_golden_files(profiles, offers, scoring, name, profile_id,
                                             offer_id, persons):
    p, o = by_id(profiles, profile_id), by_id(offers, offer_id)
    cohort = profiles if persons else offers
    for lang in ("fr", "en"):
        e = aiguillage.explain(p, o, cohort, scoring=scoring, lang=lang)
        golden = json.loads((GOLDEN / f"{name}.{lang}.json").read_text(encoding="utf-8"))
        assert dict(e) == golden
        assert e.text == (GOLDEN / f"{name}.{lang}.txt").read_text(encoding="utf-8")
        assert e.summary and e.text.startswith(e.summary.splitlines()[0])
        assert json.loads(e.json) == golden


def test_explanation_agrees_with_score_and_rank(profiles, offers, scoring):
    p = profiles[0]
    for o in list(offers)[:12]:
        e = aiguillage.explain(p, o, offers, scoring=scoring, lang="en")
        s = aiguillage.score(p, o, scoring=scoring)
        assert e["score"] == pytest.approx(s["score"], abs=1e-4)
        assert e["excluded"] == s["excluded"]
        assert e["cohort"]["rank"] == reference_rank(p, o, offers, scoring)
        assert e["cohort"]["size"] == len(offers)
    alone = aiguillage.explain(p, offers[0], None, scoring=scoring)
    assert alone["cohort"]["rank"] == 1 and alone["cohort"]["size"] == 1
    with pytest.raises(aiguillage.MatchingInputError):
        aiguillage.explain(p, offers[0], offers, lang="de")


@pytest.mark.parametrize("profile_id,offer_id,penalised", [
    ("P0003", "EX00018", False), ("P0001", "EX00036", True)])
def test_explanation_frame(profiles, offers, scoring, profile_id, offer_id, penalised):
    pd = pytest.importorskip("pandas")
    p, o = by_id(profiles, profile_id), by_id(offers, offer_id)
    e = aiguillage.explain(p, o, offers, scoring=scoring)
    assert bool(e["penalties"]) == penalised
    frame = pd.DataFrame(aiguillage.explanation_frame(e))
    assert list(frame["kind"].value_counts().sort_index().items()) == sorted(
        [("competence", len(e["competences"])), ("term", 9)]
        + ([("penalty", len(e["penalties"]))] if e["penalties"] else []))
    parts = frame.loc[frame["kind"] != "competence", "contribution"].sum()
    assert parts + e["intercept"] == pytest.approx(e["score"], abs=1e-4)
    competences = frame[frame["kind"] == "competence"]
    assert list(competences["name"]) == [c["code"] for c in e["competences"]]
    partial = competences[competences["path"].notna()]
    assert (partial["credit"] < 1).all()
    assert set(frame["profile_id"]) == {profile_id} and set(frame["offer_id"]) == {offer_id}
    penalties = frame[frame["kind"] == "penalty"]
    assert list(penalties["name"]) == [q["reason"] for q in e["penalties"]]


def test_documents_of_another_referential_are_refused(profiles, offers):
    other = aiguillage.Referential.load(aiguillage.bundled_referential_dir() + "/")
    assert other is not profiles.referential
    foreign = aiguillage.Offers(OFFERS, other)
    with pytest.raises(aiguillage.MatchingInputError):
        aiguillage.score(profiles[0], foreign[0])
    with pytest.raises(aiguillage.MatchingInputError):
        aiguillage.explain(profiles[0], offers[0], foreign)


# -- numeric competence index ------------------------------------------------------------------------
def haversine(lat1, lon1, lat2, lon2):
    r = 6371.0088
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(lon2 - lon1)
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * r * np.arcsin(np.sqrt(a))


def random_entries(rng, n, n_items, per_entry):
    indptr = [0]
    items, weights = [], []
    for _ in range(n):
        chosen = rng.choice(n_items, size=rng.integers(0, per_entry + 1), replace=False)
        items.extend(chosen)
        # Weights on a binary grid: sums are exact, so ties happen and are tested.
        weights.extend(rng.choice([0.5, 1.0, 2.0], size=len(chosen)))
        indptr.append(len(items))
    return (np.array(indptr, dtype=np.int64), np.array(items, dtype=np.int64),
            np.array(weights))


def random_index(seed, n=400, n_items=60):
    rng = np.random.default_rng(seed)
    indptr, items, weights = random_entries(rng, n, n_items, 8)
    lat = rng.uniform(43.0, 49.0, n)
    lon = rng.uniform(-1.0, 6.0, n)
    departement = rng.integers(1, 6, n)
    contract = 1 << rng.integers(0, 4, n)
    max_km = np.where(rng.random(n) < 0.2, rng.uniform(50, 300, n), np.inf)
    index = aiguillage.CompetenceIndex.from_csr(indptr, items, weights, lat, lon, departement,
                                                contract, max_km)
    dense = np.zeros((n, n_items))
    for e in range(n):
        dense[e, items[indptr[e]:indptr[e + 1]]] = weights[indptr[e]:indptr[e + 1]]
    return index, dense, (lat, lon, departement, contract, max_km)


def brute_top_k(dense, attrs, q_items, q_weights, k, origin=None, max_km=np.inf,
                departements=None, contract_mask=0):
    lat, lon, departement, contract, entry_max = attrs
    scores = dense[:, q_items] @ q_weights if len(q_items) else np.zeros(len(dense))
    ok = scores > 0
    if departements:
        ok &= np.isin(departement, departements)
    if contract_mask:
        ok &= (contract & contract_mask) != 0
    if origin is not None:
        d = haversine(origin[0], origin[1], lat, lon)
        ok &= (d <= max_km) & (d <= entry_max)
    candidates = np.flatnonzero(ok)
    order = sorted(candidates, key=lambda e: (-scores[e], e))[:k]
    return np.array(order, dtype=np.int64), scores[order]


def test_top_k_equals_brute_force():
    index, dense, attrs = random_index(7)
    assert len(index) == 400 and index.nonzeros == np.count_nonzero(dense)
    rng = np.random.default_rng(8)
    for trial in range(150):
        q_items = rng.choice(60, size=rng.integers(1, 10), replace=False)
        q_weights = rng.choice([0.25, 0.5, 1.0], size=len(q_items))
        kwargs = {}
        if trial % 3 == 1:
            kwargs = dict(origin=(rng.uniform(44, 48), rng.uniform(0, 5)),
                          max_km=float(rng.uniform(50, 400)))
        if trial % 4 == 2:
            kwargs["departements"] = [int(x) for x in rng.choice(5, 2, replace=False) + 1]
        if trial % 5 == 3:
            kwargs["contract_mask"] = int(rng.integers(1, 16))
        k = int(rng.integers(1, 25))
        got_i, got_s = index.top_k(q_items, q_weights, k, **kwargs)
        want_i, want_s = brute_top_k(dense, attrs, q_items, q_weights, k, **kwargs)
        np.testing.assert_array_equal(got_i, want_i)
        np.testing.assert_allclose(got_s, want_s, rtol=1e-12)


def test_batch_top_k_equals_top_k():
    sparse = pytest.importorskip("scipy.sparse")
    index, dense, attrs = random_index(11)
    rng = np.random.default_rng(12)
    n = 300
    q_indptr, q_items, q_weights = random_entries(rng, n, 70, 6)  # some items not indexed
    queries = sparse.csr_matrix((q_weights, q_items, q_indptr), shape=(n, 70))
    lat = np.where(rng.random(n) < 0.5, rng.uniform(44, 48, n), np.nan)
    lon = np.where(np.isnan(lat), np.nan, rng.uniform(0, 5, n))
    max_km = rng.uniform(50, 400, n)
    k = 7
    one_i, one_s = index.batch_top_k(queries, k, origin=(lat, lon), max_km=max_km, threads=1)
    two_i, two_s = index.batch_top_k((q_indptr, q_items, q_weights), k, origin=(lat, lon),
                                     max_km=max_km, threads=2)
    assert one_i.shape == (n, k) and one_s.shape == (n, k) and one_i.dtype == np.int64
    np.testing.assert_array_equal(one_i, two_i)
    np.testing.assert_array_equal(one_s, two_s)
    short = 0
    for q in range(n):
        row = slice(q_indptr[q], q_indptr[q + 1])
        origin = None if np.isnan(lat[q]) else (lat[q], lon[q])
        want_i, want_s = index.top_k(q_items[row], q_weights[row], k, origin=origin,
                                     max_km=max_km[q])
        m = len(want_i)
        short += m < k
        np.testing.assert_array_equal(one_i[q, :m], want_i)
        np.testing.assert_array_equal(one_s[q, :m], want_s)
        assert (one_i[q, m:] == -1).all() and np.isnan(one_s[q, m:]).all()
    assert short > 0  # empty queries and far origins leave rows short


def test_index_pickles_and_is_rebuilt_once(tmp_path):
    index, _, _ = random_index(3, n=50)
    again = pickle.loads(pickle.dumps(index))
    assert again.hash == index.hash and len(again) == len(index)
    assert pickle.loads(pickle.dumps(index)) is again  # cached by content hash
    q = np.array([1, 2, 3]), np.array([1.0, 1.0, 1.0])
    for a, b in zip(index.top_k(*q, 10), again.top_k(*q, 10)):
        np.testing.assert_array_equal(a, b)


def test_index_errors():
    good = dict(indptr=[0, 2, 3], items=[1, 2, 2], weights=[1.0, 1.0, 1.0])
    with pytest.raises(aiguillage.MatchingInputError) as info:
        aiguillage.CompetenceIndex.from_csr([0, 2, 4], good["items"], good["weights"])
    assert info.value.name == "dimension_mismatch" and info.value.pointer == "/indptr/2"
    with pytest.raises(aiguillage.MatchingInputError) as info:
        aiguillage.CompetenceIndex.from_csr(good["indptr"], good["items"], [1.0, -1.0, 1.0])
    assert info.value.name == "invalid_argument" and info.value.pointer.startswith("/entries/0")
    with pytest.raises(aiguillage.MatchingInputError) as info:
        aiguillage.CompetenceIndex.from_csr(good["indptr"], [1.5, 2.0, 2.0], good["weights"])
    assert info.value.pointer == "/items"
    with pytest.raises(aiguillage.MatchingInputError) as info:
        aiguillage.CompetenceIndex.from_csr(good["indptr"], [1, -2, 2], good["weights"])
    assert info.value.name == "out_of_bounds" and info.value.pointer == "/items/1"
    with pytest.raises(aiguillage.MatchingInputError) as info:
        aiguillage.CompetenceIndex.from_csr(**good, lat=[0.0])
    assert info.value.name == "dimension_mismatch" and info.value.pointer == "/lat"
    index = aiguillage.CompetenceIndex.from_csr(**good)
    with pytest.raises(aiguillage.MatchingInputError):
        index.top_k([1], [1.0], 0)
    with pytest.raises(aiguillage.MatchingInputError):
        index.top_k([1, 2], [1.0], 3)
    with pytest.raises(aiguillage.MatchingInputError):
        index.batch_top_k(([0, 1], [1], [1.0]), 3, max_km=-1.0)


# -- assignment ------------------------------------------------------------------------------------------
def test_dense_assignment_equals_scipy():
    optimize = pytest.importorskip("scipy.optimize")
    rng = np.random.default_rng(21)
    for trial in range(60):
        rows, cols = int(rng.integers(1, 30)), int(rng.integers(1, 30))
        costs = rng.integers(0, 50, (rows, cols)).astype(float) if trial % 2 else \
            rng.normal(size=(rows, cols))
        maximize = bool(trial % 3 == 0)
        want_r, want_c = optimize.linear_sum_assignment(costs, maximize=maximize)
        got = aiguillage.solve_assignment(costs, maximize=maximize)
        assert got["total_cost"] == pytest.approx(costs[want_r, want_c].sum(), abs=1e-9)
        r, c = aiguillage.linear_sum_assignment(costs, maximize=maximize)
        assert len(r) == min(rows, cols) and len(set(c)) == len(c)
        assert costs[r, c].sum() == pytest.approx(got["total_cost"], abs=1e-9)
        for row, col in zip(r, c):
            assert got["row_of_col"][col] == row
        assert (got["col_of_row"] >= 0).sum() == min(rows, cols)


def test_dense_assignment_forbidden_pairs_and_infeasible():
    optimize = pytest.importorskip("scipy.optimize")
    rng = np.random.default_rng(22)
    costs = rng.uniform(0, 10, (12, 15))
    costs[rng.random(costs.shape) < 0.3] = np.inf
    r, c = optimize.linear_sum_assignment(costs)
    assert aiguillage.solve_assignment(costs)["total_cost"] == pytest.approx(costs[r, c].sum())
    blocked = np.ones((3, 3))
    blocked[:, 0] = blocked[:, 1] = np.inf
    with pytest.raises(aiguillage.InfeasibleError) as info:
        aiguillage.solve_assignment(blocked)
    assert info.value.code == -451 and info.value.name == "infeasible"
    with pytest.raises(aiguillage.MatchingInputError):
        aiguillage.solve_assignment(np.array([[1.0, np.nan]]))
    with pytest.raises(aiguillage.MatchingInputError):
        aiguillage.solve_assignment(np.ones(3))


def test_sparse_assignment_equals_scipy():
    sparse = pytest.importorskip("scipy.sparse")
    csgraph = pytest.importorskip("scipy.sparse.csgraph")
    rng = np.random.default_rng(23)
    checked = 0
    for trial in range(80):
        rows, cols = int(rng.integers(2, 40)), int(rng.integers(2, 40))
        density = rng.uniform(0.1, 0.6)
        m = sparse.random(rows, cols, density=density, format="csr", random_state=trial,
                          data_rvs=lambda s: rng.uniform(1, 100, s))
        try:
            want_r, want_c = csgraph.min_weight_full_bipartite_matching(m)
        except ValueError:
            with pytest.raises(aiguillage.InfeasibleError):
                aiguillage.solve_sparse_assignment(m)
            continue
        got = aiguillage.solve_sparse_assignment(m)
        dense = m.toarray()
        assert got["total_cost"] == pytest.approx(dense[want_r, want_c].sum(), rel=1e-12)
        assigned = np.flatnonzero(got["col_of_row"] >= 0)
        assert np.all(m[assigned, got["col_of_row"][assigned]] != 0)
        checked += 1
    assert checked > 20
    # Maximising: the largest total among the listed pairs, compared with the dense solver.
    m = sparse.random(20, 25, density=0.5, format="csr", random_state=5)
    dense = np.where(m.toarray() != 0, m.toarray(), -np.inf)
    assert aiguillage.solve_sparse_assignment(m, maximize=True)["total_cost"] == pytest.approx(
        aiguillage.solve_assignment(dense, maximize=True)["total_cost"])


def test_capacitated_assignment_equals_linear_program():
    optimize = pytest.importorskip("scipy.optimize")
    rng = np.random.default_rng(24)
    for trial in range(25):
        n_persons, n_offers = int(rng.integers(2, 15)), int(rng.integers(1, 8))
        positions = rng.integers(0, 4, n_offers)
        pairs = [(p, o) for p in range(n_persons) for o in range(n_offers)
                 if rng.random() < 0.4]
        if not pairs:
            continue
        persons = np.array([p for p, _ in pairs])
        offers = np.array([o for _, o in pairs])
        costs = rng.integers(1, 20, len(pairs)).astype(float)
        cap = int(rng.integers(1, 3))
        got = aiguillage.solve_capacitated_assignment(n_persons, positions, persons, offers,
                                                      costs, max_per_person=cap)
        # Reference: the bipartite b-matching LP (integral), count first by a large bonus.
        bonus = 1000.0 * (costs.sum() + 1)
        a_ub = np.zeros((n_persons + n_offers, len(pairs)))
        for e, (p, o) in enumerate(pairs):
            a_ub[p, e] = 1
            a_ub[n_persons + o, e] = 1
        b_ub = np.concatenate([np.full(n_persons, cap), positions])
        lp = optimize.linprog(costs - bonus, A_ub=a_ub, b_ub=b_ub, bounds=(0, 1),
                              method="highs")
        count = round(-(lp.fun - (costs * lp.x).sum()) / bonus)
        assert len(got["person"]) == count
        assert got["total_cost"] == pytest.approx((costs * lp.x).sum(), abs=1e-6)
        assert np.all(np.bincount(got["offer"], minlength=n_offers) <= positions)
        assert np.all(np.bincount(got["person"], minlength=n_persons) <= cap)
        chosen = set(zip(got["person"].tolist(), got["offer"].tolist()))
        assert chosen <= set(pairs)


def gale_shapley(person_prefs, offer_prefs, capacity):
    """Persons propose; the textbook algorithm."""
    rank = [{p: r for r, p in enumerate(prefs)} for prefs in offer_prefs]
    held = [[] for _ in offer_prefs]
    next_choice = [0] * len(person_prefs)
    free = list(range(len(person_prefs)))
    while free:
        p = free.pop()
        while next_choice[p] < len(person_prefs[p]):
            o = person_prefs[p][next_choice[p]]
            next_choice[p] += 1
            if p not in rank[o]:
                continue
            held[o].append(p)
            held[o].sort(key=lambda x: rank[o][x])
            if len(held[o]) > capacity[o]:
                free.append(held[o].pop())
                break
            break
    result = [-1] * len(person_prefs)
    for o, ps in enumerate(held):
        for p in ps:
            result[p] = o
    return result


def test_stable_matching_equals_reference():
    rng = np.random.default_rng(25)
    for trial in range(40):
        n_p, n_o = int(rng.integers(1, 20)), int(rng.integers(1, 10))
        person_prefs = [list(rng.permutation(n_o)[:rng.integers(0, n_o + 1)]) for _ in range(n_p)]
        offer_prefs = [list(rng.permutation(n_p)[:rng.integers(0, n_p + 1)]) for _ in range(n_o)]
        capacity = rng.integers(0, 3, n_o)
        got = aiguillage.stable_matching(person_prefs, offer_prefs, capacity)
        want = gale_shapley([[int(x) for x in p] for p in person_prefs],
                            [[int(x) for x in o] for o in offer_prefs], capacity.tolist())
        assert got["offer_of_person"].tolist() == want
        for o, ps in enumerate(got["persons_of_offer"]):
            assert sorted(ps.tolist()) == ps.tolist()
            assert ps.tolist() == sorted(p for p, w in enumerate(want) if w == o)
    with pytest.raises(aiguillage.MatchingInputError):
        aiguillage.stable_matching([[0, 0]], [[0]], [1])
    with pytest.raises(aiguillage.MatchingInputError):
        aiguillage.stable_matching([[0]], [[0]], [1], proposing="both")


# -- banks ------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def many_profiles(ref):
    """The six example profiles and variants of them: other places, contract types, ranges."""
    rng = np.random.default_rng(31)
    base = [json.loads(line) for line in PROFILES.read_text(encoding="utf-8").splitlines()]
    records = list(base)
    for v in range(40):
        p = json.loads(json.dumps(base[v % len(base)]))
        p["id"] = f"V{v:03d}"
        loc = p.get("location", {})
        if v % 7 == 3:
            p.pop("location", None)
        elif "latitude" in loc:
            loc["latitude"] += float(rng.normal(0, 0.3))
            loc["longitude"] += float(rng.normal(0, 0.3))
        p["contract_types"] = [["CDI"], ["CDD", "MIS"], []][v % 3]
        p["max_distance_km"] = float(rng.choice([10, 40, 120]))
        records.append(p)
    return aiguillage.Profiles(records, ref)


def reference_offers(profile, offers, scoring, k, departements=(), contract_types=(),
                     max_km=None):
    located = profile.location["latitude"] is not None
    rows = []
    for i, o in enumerate(offers):
        s = aiguillage.score(profile, o, scoring=scoring)
        if s["excluded"]:
            continue
        if departements and o.departement not in departements:
            continue
        if contract_types and o.contract_type not in contract_types:
            continue
        if max_km is not None and located and (s["distance_km"] is None
                                               or s["distance_km"] > max_km):
            continue
        rows.append((s["score"], o.id, i, s["reasons"]))
    rows.sort(key=lambda r: (-r[0], r[1]))
    return rows[:k]


def answers_by_query(columns, query_key):
    out = {}
    for row in zip(columns[query_key], columns["score"], columns["offer_id" if query_key ==
                   "profile_id" else "profile_id"], columns["rank"], columns["reason_codes"]):
        out.setdefault(row[0], []).append(row[1:])
    return out


@pytest.mark.parametrize("filters", [
    {}, {"departements": ["59", "62", "2A"]}, {"contract_types": ["CDI"]}, {"max_km": 8.0},
    {"departements": ["59"], "contract_types": ["CDI", "CDD"], "max_km": 60.0}])
def test_offer_bank_equals_scoring_every_offer(offers, many_profiles, scoring, filters):
    bank = aiguillage.OfferBank(offers, scoring=scoring)
    assert len(bank) == len(offers)
    k = 7
    got = bank.top_offers(many_profiles, k, **filters)
    two = bank.top_offers(many_profiles, k, threads=2, **filters)
    for key in got:
        assert list(got[key]) == list(two[key]), key
    by_profile = answers_by_query(got, "profile_id")
    listed = 0
    for p in many_profiles:
        want = reference_offers(p, offers, scoring, k, **filters)
        mine = by_profile.get(p.id, [])
        assert [(s, o, r) for s, o, r, _ in mine] == [
            (s, o, rank) for rank, (s, o, _, _) in enumerate(want, 1)]
        assert [list(c) for *_, c in mine] == [list(c) for *_, c in want]
        listed += len(want)
        one = bank.top_offers(p, k, **filters)
        assert list(one["offer_id"]) == [o for _, o, _, _ in want]
    assert listed > 0
    assert list(got["offer_index"]) == [offers.ids.index(o) for o in got["offer_id"]]


@pytest.mark.parametrize("filters", [
    {"contract_types": ["CDI"]}, {"departements": ["59", "62"]}, {"max_km": 20.0}])
def test_profile_bank_equals_scoring_every_profile(offers, many_profiles, scoring, filters):
    bank = aiguillage.ProfileBank(many_profiles, scoring=scoring)
    k = 5
    got = bank.top_profiles(offers, k, **filters)
    by_offer = {}
    for o, p, r, s in zip(got["offer_id"], got["profile_id"], got["rank"], got["score"]):
        by_offer.setdefault(o, []).append((s, p, r))
    contracts = filters.get("contract_types")
    departements = filters.get("departements")
    max_km = filters.get("max_km")
    listed = 0
    for o in offers:
        rows = []
        located = o.place["latitude"] is not None
        for p in many_profiles:
            s = aiguillage.score(p, o, scoring=scoring)
            if s["excluded"]:
                continue
            if contracts and p.contract_types and not set(contracts) & set(p.contract_types):
                continue
            if departements and p.departement not in departements:
                continue
            if max_km is not None and located and (s["distance_km"] is None
                                                   or s["distance_km"] > max_km):
                continue
            rows.append((s["score"], p.id))
        rows.sort(key=lambda r: (-r[0], r[1]))
        assert by_offer.get(o.id, []) == [(s, p, r) for r, (s, p) in enumerate(rows[:k], 1)]
        listed += len(rows[:k])
    assert listed > 0


def test_bank_arguments(offers, profiles, many_profiles, ref):
    bank = aiguillage.OfferBank(offers)
    with pytest.raises(aiguillage.MatchingInputError) as info:
        bank.top_offers(profiles[0], 0)
    assert info.value.name == "invalid_argument"
    with pytest.raises(aiguillage.MatchingInputError):
        bank.top_offers(profiles[0], 3, max_km=-1)
    with pytest.raises(aiguillage.MatchingInputError):
        bank.top_offers(profiles[0], 3, departements="75")
    record = json.loads(PROFILES.read_text(encoding="utf-8").splitlines()[0])
    from_dict, from_document = bank.top_offers(record, 3), bank.top_offers(profiles[0], 3)
    assert len(from_dict["offer_id"]) == 3
    for column in from_dict:
        assert list(from_dict[column]) == list(from_document[column]), column
    listed = bank.top_offers([profiles[0], profiles[1]], 3)
    assert set(listed["profile_id"]) <= {profiles[0].id, profiles[1].id}
    other = aiguillage.Referential.load(aiguillage.bundled_referential_dir())
    with pytest.raises(aiguillage.MatchingInputError):
        bank.top_offers(aiguillage.Profiles(PROFILES, other), 3)
    # Pickled, the bank comes back once per process, with the same answers.
    again = pickle.loads(pickle.dumps(bank))
    assert pickle.loads(pickle.dumps(bank)) is again
    a, b = bank.top_offers(many_profiles, 4), again.top_offers(many_profiles, 4)
    assert all(list(a[c]) == list(b[c]) for c in a)


def test_concurrent_queries_from_python_threads(offers, many_profiles, scoring):
    """The GIL is released during the searches: Python threads query one index and one bank at
    once and get the single-threaded answers."""
    from concurrent.futures import ThreadPoolExecutor

    index, _, _ = random_index(41)
    rng = np.random.default_rng(42)
    queries = random_entries(rng, 200, 60, 6)
    bank = aiguillage.OfferBank(offers, scoring=scoring)
    want_index = index.batch_top_k(queries, 5)
    want_bank = bank.top_offers(many_profiles, 5)

    def work(i):
        if i % 2:
            return index.batch_top_k(queries, 5, threads=2)
        return bank.top_offers(many_profiles, 5, threads=2)

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(work, range(12)))
    for i, got in enumerate(results):
        if i % 2:
            np.testing.assert_array_equal(got[0], want_index[0])
            np.testing.assert_array_equal(got[1], want_index[1])
        else:
            for column in want_bank:
                assert list(got[column]) == list(want_bank[column])
