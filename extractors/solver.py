"""Split values printed run together ("640020470" for 6 4 0 0 2 0 4 7 0) — only where the form allows
exactly one split.

A run-together row is the printed tokens of one row (a token is a string of digits, possibly with a
sign before it or a decimal part and unit after it, or a marker). A *split* cuts every token into one
or more consecutive values so that the row has as many values as columns, where every value

* has no leading zero ("0" itself is fine, "07" is not) and at most :data:`MAX_DIGITS` digits for
  its kind, and parses as its column's kind (a count, a signed change, an amount);

and the row's own identity holds (R3 along an applications row, R4–R6 along a section-四 row). A
"-" glued between digits is read both as a sign and as a cell of its own, a thousands separator in a
run as starting the last number (:func:`readings`). The rows of a table are then solved together
with the identities down the columns (R1, R2) where every other cell those need was read:

1. each row's candidate splits (:func:`row_candidates`; rows of counts whose columns are "parts,
   then their total" meet the two halves of the parts by their sums, :func:`count_splits`);
2. each cross-row identity prunes the candidates no choice of the other rows completes to a
   balance (sums forward and backward over the rows, :meth:`Equation.supports`), until nothing
   changes;
3. an exhaustive search over what is left (:func:`_exact`) keeps the candidates that take part in
   a joint solution of every identity.

A row left with exactly one split is *recovered* (with the identities that removed the others); with
several → the number of candidates; with none → no consistent split. An identity that a fully-read
part of the same document breaks (the report does not balance) is not used. Every step is bounded
(:data:`MAX_SPLITS` per row, :data:`MAX_STATES` sums, :data:`MAX_COMBINATIONS` joint assignments):
beyond a bound the rows concerned are ambiguous, never guessed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

from extractors import vocab
from extractors.identities import Identity, Key
from extractors.model import BLANK, MARKER, OK
from extractors.values import MARKERS, Parsed, parse_value

MAX_DIGITS = {vocab.COUNT: 7, vocab.CHANGE: 5, vocab.AMOUNT: 9}
MAX_SPLITS = 200

_TOKEN = re.compile(r"^(?P<prefix>[+\-]|增加?|减少?|新增)?(?P<digits>\d+)(?P<suffix>(?:\.\d+)?\s*(?:万元|万|元|亿元|件|个|项|次|条)?)$")


@dataclass(frozen=True)
class Token:
    text: str
    prefix: str = ""
    digits: str = ""
    suffix: str = ""

    @property
    def splittable(self) -> bool:
        return len(self.digits) > 1


def tokenize(texts: list[str]) -> list[Token]:
    out = []
    for t in texts:
        s = t.strip()
        m = _TOKEN.match(s)
        out.append(Token(s, m.group("prefix") or "", m.group("digits"), m.group("suffix") or "") if m else Token(s))
    return out


def splits(tokens: list[Token], kinds: list[str], check: Callable[[int, list], bool] | None = None,
           limit: int = MAX_SPLITS) -> list[tuple[tuple[str, ...], tuple]]:
    """Every split of `tokens` into ``len(kinds)`` values: (printed texts, values) pairs, at most
    `limit` (then the list is cut: callers treat ``len == limit`` as "at least that many").
    ``check(j, values)`` is called after the j-th value is chosen and prunes when it returns False."""
    n = len(kinds)
    out: list[tuple[tuple[str, ...], tuple]] = []
    # what the tokens after index t can still hold: at least one value each, at most one per digit
    min_after = [0] * (len(tokens) + 1)
    max_after = [0] * (len(tokens) + 1)
    for t in range(len(tokens) - 1, -1, -1):
        min_after[t] = min_after[t + 1] + 1
        max_after[t] = max_after[t + 1] + (len(tokens[t].digits) if tokens[t].splittable else 1)
    texts: list[str] = []
    values: list = []

    def go(t: int, pos: int, j: int) -> None:
        if len(out) >= limit:
            return
        if j == n:
            if t == len(tokens):
                out.append((tuple(texts), tuple(values)))
            return
        if t == len(tokens):
            return
        tok = tokens[t]
        if not tok.splittable:
            _emit(tok.text, t + 1, 0, j)
            return
        left = len(tok.digits) - pos
        for ln in range(1, min(left, MAX_DIGITS[kinds[j]]) + 1):
            part = tok.digits[pos:pos + ln]
            if ln > 1 and part[0] == "0":
                break
            rest = left - ln
            cols_left = n - j - 1
            if rest:
                if not (min_after[t + 1] + 1 <= cols_left <= max_after[t + 1] + rest):
                    continue
            elif not (min_after[t + 1] <= cols_left <= max_after[t + 1]):
                continue
            text = (tok.prefix if pos == 0 else "") + part + (tok.suffix if rest == 0 else "")
            _emit(text, t if rest else t + 1, pos + ln if rest else 0, j)

    def _emit(text: str, t: int, pos: int, j: int) -> None:
        p = parse_value(text, kinds[j])
        if p.status in (MARKER, BLANK):
            p = Parsed(None, p.status)  # "—" between numbers, or an empty cell: holding no number
        elif p.status != OK or p.value is None:
            return
        texts.append(text)
        values.append(p.value)
        if check is None or check(j, values):
            go(t, pos, j + 1)
        texts.pop()
        values.pop()

    go(0, 0, 0)
    return out


# ------------------------------------------------------------------ a table's rows together

@dataclass
class Problem:
    """One run-together row: its printed texts and the cell keys of its columns, in print order."""

    texts: list[str]
    keys: list[Key]
    kinds: list[str]
    gaps: tuple[int, ...] = ()  # token positions a space precedes: an empty cell may have been there


@dataclass
class Outcome:
    status: str  # "recovered", "ambiguous" or "none"
    texts: tuple[str, ...] = ()
    values: tuple = ()
    candidates: int = 0  # ambiguous: how many splits remain consistent (a lower bound when capped)
    used: list[str] = field(default_factory=list)  # identities the recovery relied on ("digit count" alone: [])
    capped: bool = False


def solve(problems: list[Problem], known: dict[Key, int | None], ids: list[Identity],
          trusted: set[str]) -> list[Outcome]:
    """Solve a table's run-together rows together (see the module doc). ``known``: the other cells'
    values (None when not a number); ``trusted``: the rules that may be used."""
    ids = [i for i in ids if i.rule in trusted]
    domains: list[list[tuple[tuple[str, ...], tuple]]] = []
    needed: list[list[str]] = []
    capped: list[bool] = []
    local_ids = [(i, set(i.keys)) for i in ids if i.row_local]
    for p in problems:
        pk = set(p.keys)
        own = [i for i, ks in local_ids if ks <= pk]
        cands, too_many, free = row_candidates(p, own)
        domains.append(cands)
        capped.append(too_many)
        needed.append([i.label() for i in own] if free > 1 else [])
    owner = {k: n for n, p in enumerate(problems) for k in p.keys}
    cross = [i for i in ids if not i.row_local and any(k in owner for k in i.keys)
             and all(k in owner or known.get(k) is not None for k in i.keys)
             and not any(capped[owner[k]] for k in i.keys if k in owner)]
    equations = [Equation(i, [(s, owner.get(k), k) for s, k in i.terms]) for i in cross]
    index = [{k: j for j, k in enumerate(p.keys)} for p in problems]
    used: list[set[str]] = [set() for _ in problems]
    changed = True
    while changed:
        changed = False
        for eq in equations:
            for v, keep in eq.supports(domains, known, index).items():
                if len(keep) < len(domains[v]):
                    domains[v] = [domains[v][i] for i in sorted(keep)]
                    used[v].add(eq.identity.label())
                    changed = True
    involved = sorted({v for eq in equations for v in eq.vars})
    exact = _exact(involved, equations, domains, known, index)
    out = []
    for n, cands in enumerate(domains):
        if capped[n]:
            out.append(Outcome("ambiguous", candidates=len(cands), capped=True))
            continue
        if n in exact:
            if exact[n] is None:  # the joint search was too large: no claim
                out.append(Outcome("ambiguous", candidates=len(cands), capped=True))
                continue
            cands = [cands[i] for i in sorted(exact[n])]
        if not cands:
            out.append(Outcome("none"))
        elif len(cands) == 1:
            texts, vals = cands[0]
            out.append(Outcome("recovered", texts, vals, 1, needed[n] + sorted(used[n])))
        else:
            out.append(Outcome("ambiguous", candidates=len(cands)))
    return out


BLANK_TOKEN = Token("")
MAX_READINGS = 64
_MARKER_UNITS = sorted((m for m in MARKERS if len(m) <= 2 and m.strip() == m), key=len, reverse=True)


def readings(toks: list[Token], gaps: tuple[int, ...] = (), n: int | None = None) -> list[list[Token]] | None:
    """The ways a run-together row's tokens can be read as ``n`` cells (None: too many to try).

    Every way the printed text could have come from the row's cells is one reading, so the truth is
    never left out:

    * a "-" glued between digits ("3-15") is a minus sign or a "-" cell of its own (nothing);
    * a thousands separator inside a run ("…5462,223") belongs to the last number, whose first group
      has one to three digits;
    * markers glued together ("—/", "——") are one marker cell or several;
    * a space between glued numbers (`gaps`) is where empty cells were — one, several (two empty
      cells print as one run of spaces), or none.
    """
    room = None if n is None else n - len(toks)  # cells the tokens leave for empty ones, at most
    alts: list[list[Token]] = [[]]
    for pos, t in enumerate([*toks, None]):
        if pos in gaps:
            most = 1 if room is None else max(0, room)
            alts = [[*a, *[BLANK_TOKEN] * k] for a in alts for k in range(most - sum(x is BLANK_TOKEN for x in a) + 1)]
        if t is None:
            break
        options: list[list[Token]] = [[t]]
        if t.prefix in ("-", "+"):
            options.append([Token(t.prefix), Token(t.text[1:], "", t.digits, t.suffix)])
        m = re.fullmatch(r"(\d+?)(\d{1,3}(?:,\d{3})+)", t.text)
        if m and not _TOKEN.match(t.text):
            head = m.group(1) + m.group(2).split(",")[0]
            options = [[Token(head[:-g], "", head[:-g]), Token(head[-g:] + "," + m.group(2).split(",", 1)[1])]
                       for g in (1, 2, 3) if len(head) > g]
        if not t.digits and len(t.text) > 1:
            options = [[Token(x) for x in cut] for cut in _marker_cuts(t.text)] or options
        alts = [[*a, *o] for a in alts for o in options]
        if len(alts) > MAX_READINGS:
            return None
    return alts if n is None else [a for a in alts if len(a) <= n]


def _marker_cuts(text: str) -> list[list[str]]:
    """The ways glued marker text ("—/", "——") is one or more marker cells; [] when it is not markers."""
    out: list[list[str]] = []

    def go(rest: str, acc: list[str]) -> None:
        if len(out) > MAX_READINGS:
            return
        if not rest:
            out.append(list(acc))
            return
        for u in _MARKER_UNITS:
            if rest.startswith(u):
                go(rest[len(u):], [*acc, u])

    go(text, [])
    whole = parse_value(text).status == MARKER
    cuts = [c for c in out if len(c) > 1]
    return ([[text]] if whole else []) + cuts if (cuts or whole) else []


def row_candidates(p: Problem, own: list[Identity]) -> tuple[list[tuple[tuple[str, ...], tuple]], bool, int]:
    """The splits of one run-together row consistent with its own identities (`own`): (candidates,
    whether they were too many to list, how many splits the digit count alone allows — 2 meaning two
    or more)."""
    alts = readings(tokenize(p.texts), p.gaps, len(p.kinds))
    if alts is None:
        return [], True, 2
    seen: dict[tuple[str, ...], tuple[tuple[str, ...], tuple]] = {}
    free = 0
    groups = _sum_groups(p, own)
    for toks in alts:
        free += len(splits(toks, p.kinds, limit=2))
        cands = None
        if groups and all(k == vocab.COUNT for k in p.kinds) and \
                all(not t.prefix and not t.suffix and t.digits for t in toks):
            cands = count_splits([t.digits for t in toks], len(p.kinds), groups)
        if cands is None:
            cands = splits(toks, p.kinds, _row_check(p, own) if own else None)
        for c in cands:
            seen.setdefault(c[0], c)
        if len(seen) >= MAX_SPLITS:
            return list(seen.values()), True, 2
    return list(seen.values()), False, min(free, 2)


def _sum_groups(p: Problem, own: list[Identity]) -> list[tuple[list[int], int]] | None:
    """The row's identities as (indices of the parts, index of their total) when each is "the last
    column of a run = the sum of the others" (R3–R6 are); None otherwise."""
    index = {k: j for j, k in enumerate(p.keys)}
    out = []
    for i in own:
        if len(i.lhs) != 1:
            return None
        total = index[i.lhs[0]]
        parts = sorted(index[k] for k in i.rhs)
        if any(x > total for x in parts):
            return None
        out.append((parts, total))
    return out


def count_splits(tokens: list[str], n: int, groups: list[tuple[list[int], int]],
                 limit: int = MAX_SPLITS) -> list[tuple[tuple[str, ...], tuple]] | None:
    """:func:`splits` for rows of counts printed as bare digits whose columns are runs "parts, then
    their total" (R3: six columns then 总计; R4–R6: four then 总计): for each run the total's digits
    are chosen first and the parts must add up to it, so long rows stay fast. None when the row's
    identities do not have that shape."""
    runs = sorted(groups, key=lambda g: g[1])
    col = 0
    for parts, total in runs:
        if parts != list(range(col, total)):
            return None
        col = total + 1
    if col != n or not runs:
        return None
    digits = "".join(tokens)
    cuts = set()
    pos = 0
    for t in tokens[:-1]:
        pos += len(t)
        cuts.add(pos)
    maxd = MAX_DIGITS[vocab.COUNT]

    def ok_part(p: int, q: int) -> bool:
        return 0 < q - p <= maxd and (q - p == 1 or digits[p] != "0") and not (cuts and any(p < c < q for c in cuts))

    @cache
    def segs(p: int, q: int, k: int) -> tuple[tuple[int, tuple[str, ...]], ...]:
        """Every split of digits[p:q] into k parts, with its sum."""
        if not (k <= q - p <= maxd * k):
            return ()
        if k == 1:
            return ((int(digits[p:q]), (digits[p:q],)),) if ok_part(p, q) else ()
        out = []
        for r in range(p + 1, min(q - k + 1, p + maxd) + 1):
            if not ok_part(p, r):
                continue
            v = int(digits[p:r])
            out += [(v + s, (digits[p:r], *rest)) for s, rest in segs(r, q, k - 1)]
        return tuple(out)

    @cache
    def by_sum(p: int, q: int, k: int) -> dict[int, list[tuple[str, ...]]]:
        d: dict[int, list[tuple[str, ...]]] = {}
        for s, ps in segs(p, q, k):
            d.setdefault(s, []).append(ps)
        return d

    def parts(p: int, end: int, k: int, rem: int) -> list[tuple[str, ...]]:
        """Every split of digits[p:end] into k parts summing to rem (the two halves met by their sums;
        each part is at most `rem`, so it has at most as many digits)."""
        width = min(maxd, len(str(rem)))
        if not (k <= end - p <= width * k):
            return []
        if k == 1:
            return [ps for s, ps in segs(p, end, 1) if s == rem]
        k1 = k // 2
        out = []
        for m in range(max(p + k1, end - width * (k - k1)), min(end - (k - k1), p + width * k1) + 1):
            left = by_sum(p, m, k1)
            if not left:
                continue
            for s2, right in segs(m, end, k - k1):
                if s2 > rem:
                    continue
                for lp in left.get(rem - s2, ()):
                    out.append((*lp, *right))
                    if len(out) >= limit:
                        return out
        return out

    out: list[tuple[tuple[str, ...], tuple]] = []

    def go(r: int, p: int, acc: tuple[str, ...]) -> None:
        if len(out) >= limit:
            return
        if r == len(runs):
            if p == len(digits):
                out.append((acc, tuple(int(x) for x in acc)))
            return
        k = len(runs[r][0])
        later = sum(len(g[0]) + 1 for g in runs[r + 1:])
        for end in range(p + k + 1, len(digits) - later + 1):
            for t in range(1, maxd + 1):
                start = end - t
                if start < p + k or not ok_part(start, end):
                    continue
                for ps in parts(p, start, k, int(digits[start:end])):
                    go(r + 1, end, (*acc, *ps, digits[start:end]))

    go(0, 0, ())
    return out


def _row_check(p: Problem, own: list[Identity]) -> Callable[[int, list], bool]:
    """Prune a row's splits as soon as one of its identities has all its cells."""
    index = {k: j for j, k in enumerate(p.keys)}
    at: dict[int, list[Identity]] = {}
    for i in own:
        at.setdefault(max(index[k] for k in i.keys), []).append(i)

    def check(j: int, values: list) -> bool:
        for i in at.get(j, ()):
            cells = [values[index[k]] for k in i.keys]
            if None in cells:
                continue  # a marker: the identity says nothing here
            if sum(values[index[k]] for k in i.lhs) != sum(values[index[k]] for k in i.rhs):
                return False
        return True

    return check


# ------------------------------------------------------------------ identities across rows

MAX_STATES = 50_000  # distinct partial sums kept while pruning one identity
MAX_COMBINATIONS = 200_000  # joint assignments tried by the exact search


@dataclass
class Equation:
    """One identity across rows: Σ sign·cell = 0, each cell known or in a run-together row
    (``terms``: sign, the row's problem index or None, the cell key)."""

    identity: Identity
    terms: list[tuple[int, int | None, Key]]

    @property
    def vars(self) -> list[int]:
        return [v for _, v, _ in self.terms if v is not None]

    def supports(self, domains, known, index) -> dict[int, set[int]]:
        """The candidates of each row that some choice of the other rows' candidates completes to a
        sum of zero (sums forward and backward over the rows); none pruned when the sums grow too many."""
        offset = sum(s * known[k] for s, v, k in self.terms if v is None)  # type: ignore[operator]
        terms = [(s, v, k) for s, v, k in self.terms if v is not None]
        raw = [[c[1][index[v][k]] for c in domains[v]] for _, v, k in terms]
        if any(x is None for opts in raw for x in opts):
            return {}  # a marker in a candidate: this identity cannot be evaluated
        vals = [[s * x for x in opts] for (s, _, _), opts in zip(terms, raw, strict=True)]
        fwd = [{offset}]
        for opts in vals:
            nxt = {f + x for f in fwd[-1] for x in set(opts)}
            if len(nxt) > MAX_STATES:
                return {}
            fwd.append(nxt)
        bwd = [{0}]
        for opts in reversed(vals):
            bwd.append({b + x for b in bwd[-1] for x in set(opts)})
            if len(bwd[-1]) > MAX_STATES:
                return {}
        bwd.reverse()
        out: dict[int, set[int]] = {}
        for t, (_, v, _) in enumerate(terms):
            keep = {i for i, x in enumerate(vals[t]) if any(-(f + x) in bwd[t + 1] for f in fwd[t])}
            out[v] = keep if v not in out else out[v] & keep
        return out


def _exact(involved: list[int], equations: list[Equation], domains, known, index) -> dict[int, set[int] | None]:
    """The candidates of each row in some joint assignment satisfying every identity (an exhaustive
    search over the pruned candidates, in a fixed order, checking each identity once its rows are
    chosen); None for the rows when the search is too large."""
    if not involved:
        return {}
    total = 1
    for v in involved:
        total *= max(1, len(domains[v]))
    if total > MAX_COMBINATIONS:
        return dict.fromkeys(involved)
    order = sorted(involved, key=lambda v: len(domains[v]))
    pos = {v: n for n, v in enumerate(order)}
    due: dict[int, list[Equation]] = {}
    for eq in equations:
        due.setdefault(max(pos[v] for v in eq.vars), []).append(eq)
    chosen: dict[int, int] = {}
    seen: dict[int, set[int]] = {v: set() for v in involved}

    def holds(eq: Equation) -> bool:
        total = 0
        for s, v, k in eq.terms:
            x = known[k] if v is None else domains[v][chosen[v]][1][index[v][k]]
            if x is None:
                return True  # a marker: the identity says nothing
            total += s * x
        return total == 0

    def go(d: int) -> None:
        if d == len(order):
            for v, i in chosen.items():
                seen[v].add(i)
            return
        v = order[d]
        for i in range(len(domains[v])):
            chosen[v] = i
            if all(holds(eq) for eq in due.get(d, ())):
                go(d + 1)
        chosen.pop(v, None)

    go(0)
    return seen
