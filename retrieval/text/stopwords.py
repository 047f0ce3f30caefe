"""Query-side stop words: question words (MSA and dialect), particles and pronouns."""

from __future__ import annotations

from retrieval.text.normalize import normalize_words

QUESTION_WORDS = normalize_words(
    """
    ما ماذا من متى أين اين كم كيف هل لماذا لم لمَ أي أيّ أية أيها بم بما عم عما فيم
    مما ممن لمن لما كيفية ماهو ماهي ماهى مالذي ماالذي منهو منهي
    وين فين شو ايش إيش ليش امتى إمتى ازاي إزاي ليه منو مين إيه ايه شنو وش ويش قديش
    أديش اديش كام شلون كيفاش علاش فاش منين شكون إمتا امتا
    """.split()
)

# Words that carry no topic of their own in a question ("what is the name of ...",
# "mention ...", "tell me ..."): removing them keeps BM25 and abstention on the topic words.
QUESTION_PHRASING = normalize_words(
    """
    هو هي هم هما هن أنا انت أنت نحن يكون تكون كان كانت يكن اذكر أذكر عرف عرّف
    قل قولي قلي خبرني أخبرني اخبرني احكي احكيلي بدي أريد اريد أعرف اعرف معرفة
    يعني عن حول بخصوص بشأن يوجد توجد هناك اعط اعطي أعطني اعطني مثالا مثال
    """.split()
)

# Function words of the spoken dialects (Levantine, Egyptian, Gulf, Maghrebi): future and
# progressive particles, "want", "this/that", negation, relative "اللي".
DIALECT = normalize_words(
    """
    رح راح ح هـ بدي بدك بدو بدها بدنا عايز عايزه عاوز عاوزه ابغى ابغي أبغى ابي أبي نبي
    ودي هاد هادا هادي هيدا هيدي هاي هدا هذي دي ده دا دول هدول هذول اللي إللي يلي لي
    مش مو ماش موش مب مهوب بس كمان برضو برضه برده هلق هلا هلأ دلوقتي دلوقت الحين هسه
    توا عشان علشان منشان مشان لأنو لانو كده كدا هيك هكي زي متل مثل يا طيب ولا
    """.split()
)

PARTICLES = normalize_words(
    """
    ال في على إلى الى عن مع من و أو او ثم أم بل لا لن لم قد لقد إن أن ان إنّ أنّ كل بعض
    الذي التي الذين اللذين اللتين اللواتي اللاتي هذا هذه هذان هاتان هؤلاء ذلك تلك ذاك
    أولئك هنا هناك هنالك كما لكن لكنّ ولكن إذا اذا إذ اذ حتى منذ عند عندما بين لدى
    لـ به بها بهم له لها لهم فيه فيها فيهم عليه عليها منه منها عنه عنها إليه اليه
    أيضا ايضا فقط غير سوى تم يتم
    """.split()
)

STOP_WORDS: frozenset[str] = QUESTION_WORDS | QUESTION_PHRASING | PARTICLES | DIALECT


# و ف ب ل written onto a question word: وأين، فكيف، بماذا، بكم، لمن. Only question words:
# the same letters before a particle or a dialect word make content words (فقد "lost",
# ولي "guardian", بدا "began").
QUESTION_PROCLITICS = "وفبل"


def is_stop_word(word: str) -> bool:
    """Whether a normalized question word is searched for at all."""
    if word in STOP_WORDS:
        return True
    return len(word) > 2 and word[0] in QUESTION_PROCLITICS and word[1:] in QUESTION_WORDS
