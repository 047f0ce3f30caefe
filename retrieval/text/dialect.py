"""Common dialect content words and their Modern Standard Arabic equivalents.

Corpora are mostly written in MSA while people ask in dialect; a dialect word the corpus
does not know is searched as its MSA equivalents too.
"""

from __future__ import annotations

from retrieval.text.normalize import normalize

_PAIRS = {
    "الجاي الجاية جاي جاية الجايين": "المقبل المقبلة القادم القادمة",
    "امبارح مبارح البارحة": "أمس",
    "بكرا بكرة باكر": "غدا",
    "كتير واجد برشا ياسر": "كثير",
    "شوي شوية شويا": "قليل",
    "فلوس مصاري": "أموال مال",
    "صار صارت": "حدث حدثت",
    "حكى حكت": "قال تحدث",
    "شاف شافت": "رأى",
    "اشتغل اشتغلت": "عمل",
    "زلمة راجل رجال": "رجل",
    "ست مرة": "امرأة",
    "هلأ هلق دلوقتي الحين": "الآن",
    "بيت دار": "منزل",
    "وقتيش إمتى": "متى",
    "قديش أديش": "كم",
    "ليش ليه": "لماذا",
    "ازاي كيفاش شلون": "كيف",
    "قدام قدامه": "أمام",
    "ورا وراه": "وراء خلف",
    "جوا جوه": "داخل",
    "برا بره": "خارج",
    "كويس منيح زين": "جيد",
    "هدول هذول": "هؤلاء",
    "بدو بدها": "يريد تريد",
}

SYNONYMS: dict[str, list[str]] = {
    normalize(dialect): [normalize(m) for m in msa.split()]
    for dialects, msa in _PAIRS.items()
    for dialect in dialects.split()
}
