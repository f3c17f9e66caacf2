import numpy as np
import pytest
from datasketch import MinHash, MinHashLSH

from robotrace.campaigns.minhash import Signer, estimated_jaccard
from robotrace.campaigns.text import shingles, tokens

TEXTS = [
    "Hello, this is Amazon. This call is to authorize a payment of $999 for an iPhone.",
    "press one now",
    "hi",
    "We are calling about your vehicle's extended warranty, press 1 to speak with a specialist",
]


def test_signatures_equal_datasketch_minhashes_of_the_same_shingle_hashes():
    signer = Signer()
    docs = [tokens(text) for text in TEXTS]
    for words, signature in zip(docs, signer.signatures(docs), strict=True):
        sketch = MinHash(num_perm=signer.num_perm, seed=signer.seed, hashfunc=int)
        sketch.update_batch([int(h) for h in signer.shingle_hashes(words)])
        assert np.array_equal(sketch.hashvalues, signature)


def test_a_shingle_hashes_the_same_alone_and_inside_a_longer_text():
    signer = Signer()
    alone = signer.shingle_hashes(["press", "#", "now"])
    inside = signer.shingle_hashes(["please", "press", "#", "now"])
    assert len(alone) == 1 and alone[0] == inside[1]


def test_the_estimate_tracks_the_exact_jaccard_similarity():
    signer = Signer()
    words = [f"w{i}" for i in range(200)]
    a, b = words[:120], words[40:160]  # word trigrams: 118 and 118, sharing 78
    exact = len(set(shingles(a)) & set(shingles(b))) / len(set(shingles(a)) | set(shingles(b)))
    signatures = signer.signatures([a, b])
    assert estimated_jaccard(signatures[0], signatures[1:])[0] == pytest.approx(exact, abs=0.1)


def test_signatures_work_in_a_datasketch_lsh_index():
    signer = Signer()
    docs = [tokens(t) for t in (TEXTS[0], TEXTS[0] + " Thank you.", TEXTS[3])]
    signatures = signer.signatures(docs)
    index = MinHashLSH(threshold=0.5, num_perm=signer.num_perm)
    for key, signature in enumerate(signatures):
        index.insert(key, signer.lean(signature))
    assert sorted(index.query(signer.lean(signatures[0]))) == [0, 1]


def test_an_empty_text_cannot_be_signed():
    with pytest.raises(ValueError, match="empty text"):
        Signer().signatures([["press"], []])


def test_many_texts_are_signed_in_batches_alike():
    signer = Signer()
    docs = [tokens(f"{TEXTS[0]} variant {i} " * (1 + i % 7)) for i in range(3000)]
    together = signer.signatures(docs)
    one_by_one = np.vstack([signer.signatures([doc]) for doc in docs[:50]])
    assert np.array_equal(together[:50], one_by_one)
