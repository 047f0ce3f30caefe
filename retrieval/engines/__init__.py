"""BM25 engines behind one protocol, and the choice between them."""

from __future__ import annotations

from retrieval.config import ENGINES
from retrieval.engines.base import Engine, EngineClass, lucene_idf, top_k
from retrieval.engines.native import NativeEngine
from retrieval.engines.postings import Batch, Vocabulary
from retrieval.engines.rank_bm25 import RankBM25Engine

__all__ = [
    "AUTO_NATIVE_FROM",
    "ENGINE_CLASSES",
    "Batch",
    "Engine",
    "EngineClass",
    "Vocabulary",
    "engine_class",
    "lucene_idf",
    "resolve_engine",
    "top_k",
]

ENGINE_CLASSES: dict[str, EngineClass] = {
    RankBM25Engine.name: RankBM25Engine,
    NativeEngine.name: NativeEngine,
}
# "auto" keeps rank-bm25 (float64, the reference) below this many passages and uses the
# native engine from here on, where it answers faster (docs/performance.md, "Choosing the
# engine"); below, both answer in about 2 ms.
AUTO_NATIVE_FROM = 500


def resolve_engine(name: str, passages: int) -> str:
    """The engine to build for ``passages`` passages ("auto" decides by size)."""
    if name not in ENGINES:
        raise ValueError(f"unknown engine {name!r}; choose from {', '.join(ENGINES)}")
    if name == "auto":
        return NativeEngine.name if passages >= AUTO_NATIVE_FROM else RankBM25Engine.name
    return name


def engine_class(name: str, passages: int) -> EngineClass:
    """The class of the engine ``name`` resolves to for ``passages`` passages."""
    return ENGINE_CLASSES[resolve_engine(name, passages)]
