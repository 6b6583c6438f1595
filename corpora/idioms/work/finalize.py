"""Turn work/pairs_raw.tsv (hand-transcribed from the cited sources) into
misspellings.tsv (kept) and misspellings_dropped.tsv (dropped, with reason)."""
from pathlib import Path
H = Path(__file__).resolve().parent.parent
lex = set(H.joinpath('idioms.txt').read_text(encoding='utf-8').split())
# right forms not in idioms.txt that are well-known fixed expressions (checked by hand)
FIXED = set(H.joinpath('work/fixed_expressions.txt').read_text(encoding='utf-8').split()) if H.joinpath('work/fixed_expressions.txt').exists() else set()
rows = [l.rstrip('\n').split('\t') for l in open(H / 'work/pairs_raw.tsv', encoding='utf-8') if l.strip() and not l.startswith('#')]

def kind(w, r):
    if len(w) != len(r) or not (3 <= len(r) <= 8):
        return None
    d = [i for i in range(len(w)) if w[i] != r[i]]
    if len(d) == 1:
        return 'sub'
    if len(d) == 2 and d[1] == d[0] + 1 and w[d[0]] == r[d[1]] and w[d[1]] == r[d[0]]:
        return 'swap'
    return None

kept, dropped = {}, {}
for w, r, s in rows:
    k = kind(w, r)
    if k is None:
        why = 'not a single substitution or adjacent swap'
    elif w in lex:
        why = 'wrong form is itself an entry of idioms.txt'
    elif r not in lex and r not in FIXED:
        why = 'right form not in idioms.txt and not confirmed as a fixed expression'
    else:
        why = None
    if why:
        dropped.setdefault((w, r, why), []).append(s)
    else:
        mark = '' if r in lex else ' [right not in idioms.txt: well-known fixed expression]'
        kept.setdefault((w, r), [])
        src = s + mark
        if src not in kept[(w, r)]:
            kept[(w, r)].append(src)
# one wrong form must map to one right form
wrongs = {}
for (w, r) in kept:
    wrongs.setdefault(w, []).append(r)
amb = {w for w, rs in wrongs.items() if len(rs) > 1}
with open(H / 'misspellings.tsv', 'w', encoding='utf-8') as f:
    f.write('wrong\tright\tsource\n')
    for (w, r), ss in sorted(kept.items()):
        f.write(f"{w}\t{r}\t{' | '.join(ss)}\n")
with open(H / 'misspellings_dropped.tsv', 'w', encoding='utf-8') as f:
    f.write('wrong\tright\treason\tsource\n')
    for (w, r, why), ss in sorted(dropped.items()):
        f.write(f"{w}\t{r}\t{why}\t{' | '.join(dict.fromkeys(ss))}\n")
from collections import Counter
print('kept', len(kept), 'ambiguous wrong', sorted(amb))
print('dropped', Counter(why for (_, _, why) in dropped))
print('sources', len({s.split(' ')[0] for ss in kept.values() for s in ss}))
