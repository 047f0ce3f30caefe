"""The Arabic texts people read, for every front end: one place to word (or translate) them."""

from __future__ import annotations

# --- every front end --------------------------------------------------------------------

NO_ANSWER = "لا توجد إجابة عن هذا السؤال في المصادر المتاحة."
REPHRASE_TIP = "جرّب إعادة صياغة السؤال بكلمات أخرى، أو اسأل عن اسم أو حدث بعينه."
# A question word the sources do not know is close to one they do (a typo, a dialect
# spelling): the question as it would read with the sources' word. {question} arrives
# bidi-isolated.
DID_YOU_MEAN = "هل تقصد: «{question}»؟"
WEAK_LABEL = "نتيجة ضعيفة، قد لا تجيب عن سؤالك"
WEAK_RESULTS_HEADER = "أقرب ما في المصادر، ولا يجيب على الأرجح عن سؤالك"
EMPTY_QUESTION = "اكتب سؤالاً بكلمات عربية أو لاتينية، مثل: أين عقد حوار المنامة؟"
PARAGRAPH = "الفقرة"
PAGE = "صفحة"
SOURCE_LABEL = "المصدر"
MORE_HEADER = "نتائج إضافية"

# --- the console --------------------------------------------------------------------------

CONSOLE_PROMPT = "سؤالك › "
CONSOLE_HELP = """\
اكتب سؤالك بالعربية واضغط Enter، مثل: أين عقد حوار المنامة؟
الأوامر:
  /more     نتائج إضافية للسؤال الأخير (مثل زر «المزيد» في تيليجرام)
  /open N   الفقرة رقم N كاملةً مع ما قبلها وما بعدها من الوثيقة، مثل: /open 1
  /sources  قائمة المصادر (الوثائق) المتاحة
  /help     هذه المساعدة
  /quit     الخروج (أو Ctrl-D)"""
CONSOLE_WELCOME = "مرجع — {documents} وثائق، {passages} فقرة. اكتب /help للمساعدة."
CONSOLE_UNKNOWN_COMMAND = "أمر غير معروف: {command} — اكتب /help"
CONSOLE_GOODBYE = "مع السلامة."
CONSOLE_NO_QUESTION = "اسأل سؤالاً أولاً، ثم اكتب /more لنتائج إضافية أو /open 1 لفتح النتيجة الأولى."
CONSOLE_NO_MORE = "لا توجد نتائج إضافية لهذا السؤال."
CONSOLE_NOTHING_TO_OPEN = "لم يُعرض أي نص للسؤال الأخير؛ اسأل سؤالاً آخر."
CONSOLE_OPEN_USAGE = "اكتب رقم النتيجة بعد الأمر، مثل: /open 1"
CONSOLE_NO_RESULT = "لا توجد نتيجة معروضة بالرقم «{value}». الأرقام المعروضة من 1 إلى {count}."
CONSOLE_OPENED = "النص الكامل"
RESULT_LABEL = "النتيجة"
SOURCES_TITLE = "المصادر"
TITLE_LABEL = "العنوان"
PASSAGES_LABEL = "الفقرات"

# --- Telegram ---------------------------------------------------------------------------

RATE_LIMITED = "تمهّل قليلاً من فضلك: أجيب عن {count} رسائل كل {seconds} ثوانٍ لكل مستخدم. أعد إرسال سؤالك بعد لحظات."  # noqa: E501
RATE_LIMITED_SHORT = "تمهّل قليلاً من فضلك، ثم أعد المحاولة بعد لحظات."
NOT_TEXT = "أفهم الأسئلة المكتوبة فقط. اكتب سؤالك نصّاً، مثل: أين عقد حوار المنامة؟"
ASK_USAGE = "اكتب سؤالك بعد الأمر، مثل: /ask أين عقد حوار المنامة؟"
NOT_ALLOWED = "هذا البوت غير متاح في هذه المحادثة."
ERROR = "عذراً، حدث خطأ غير متوقع أثناء الإجابة. حاول مرة أخرى بعد قليل."
SOURCE_USAGE = "اكتب رقم المصدر بعد الأمر، مثل: /source 1 (اكتب /sources لرؤية الأرقام)."
NO_SOURCE = "لا يوجد مصدر بالرقم «{value}». الأرقام من 1 إلى {count}؛ اكتب /sources لرؤية القائمة."
NO_SOURCES_PAGE = "لا توجد صفحة بالرقم «{value}». الصفحات من 1 إلى {count}."
INLINE_HELP_TITLE = "اكتب سؤالك بعد اسم البوت"
INLINE_HELP_DESCRIPTION = "مثل: أين عقد حوار المنامة؟ — ثم اختر فقرة لإرسالها مع مصدرها."
INLINE_NO_ANSWER_TITLE = "لا توجد إجابة في المصادر"
# What /help says about each command; also registered with setMyCommands.
COMMANDS: tuple[tuple[str, str], ...] = (
    ("ask", "اسأل سؤالاً (في المجموعات: /ask ثم السؤال)"),
    ("sources", "قائمة المصادر المتاحة"),
    ("source", "تفاصيل مصدر برقمه، مثل: /source 1"),
    ("help", "كيف تستخدم البوت"),
)
MORE_BUTTON = "المزيد"
THANKS = "شكراً، سُجّل تقييمك."
RATING_CHANGED = "شكراً، عُدّل تقييمك."
ALREADY_RATED = "سُجّل تقييمك من قبل."
ALREADY_SHOWN = "عُرضت هذه النتائج من قبل."
STALE_BUTTON = "انتهت صلاحية هذا الزر؛ أرسل سؤالك من جديد."
INVALID_BUTTON = "هذا الزر غير صالح."
UNKNOWN_COMMAND = "أمر غير معروف: {command} — اكتب /help لرؤية الأوامر."
STATS_COMMAND = ("stats", "إحصاءات سجل الأسئلة (للمشرفين)")
STATS_USAGE = "اكتب /stats للسجل كله، أو /stats 7d لآخر سبعة أيام، أو /stats 2026-11-01 منذ تاريخ."
STATS_UNAVAILABLE = "تعذّرت قراءة سجل الأسئلة الآن؛ التفاصيل في سجل البوت."

# --- Telegram, admins: the index and the documents they add ------------------------------

# The admins' menu (their private chats): /stats and these.
ADMIN_COMMANDS: tuple[tuple[str, str], ...] = (
    STATS_COMMAND,
    ("reload", "إعادة تحميل الفهرس بعد تغيّر المصادر (للمشرفين)"),
    ("documents", "الوثائق المضافة من تيليغرام (للمشرفين)"),
    ("remove", "حذف وثيقة مضافة برقمها، مثل: /remove 1 (للمشرفين)"),
)
RELOADING = "⏳ جارٍ تحديث الفهرس…"
RELOADED = "✅ حُدّث الفهرس: {documents} وثيقة، {passages} فقرة."
RELOAD_UNCHANGED = "الفهرس محدّث أصلاً: {documents} وثيقة، {passages} فقرة."
RELOAD_FAILED = "تعذّر تحديث الفهرس، وما زلت أجيب من الفهرس السابق. السبب: {reason}"
UPLOAD_RECEIVED = "⏳ استلمت الملف، جارٍ فحصه وفهرسته…"
UPLOAD_ADDED = "✅ أضيفت الوثيقة «{title}»: {passages} فقرة. أجيب منها الآن."
UPLOAD_ADDED_MANY = (
    "✅ أضيف الملف: {documents} وثائق و{passages} فقرة، أولها «{title}». أجيب منها الآن."
)
UPLOAD_NOTHING_NEW = "أضيف الملف «{title}»، لكن كل فقراته موجودة في المصادر من قبل؛ لا جديد فيه."
UPLOAD_UNSUPPORTED = "لا أقرأ هذا النوع من الملفات ({suffix}). الأنواع المقبولة: {suffixes}."
UPLOAD_NO_NAME = "لهذا الملف اسم بلا امتداد، فلا أعرف نوعه. الأنواع المقبولة: {suffixes}."
UPLOAD_TOO_BIG = "الملف أكبر من الحد المسموح ({size}؛ الحد {limit})."
UPLOAD_NO_TEXT = "لم أجد في الملف نصاً أجيب منه: {reason}"
UPLOAD_BROKEN = "تعذّرت قراءة الملف، ويبدو تالفاً: {reason}"
UPLOAD_DUPLICATE = "هذا الملف مضاف من قبل (رقم {number} في /documents): «{title}»."
UPLOAD_DOWNLOAD_FAILED = "تعذّر تنزيل الملف من تيليغرام؛ أعد إرساله بعد قليل."
UPLOAD_INDEX_FAILED = "حُفظ الملف، لكن تعذّرت فهرسته، وما زلت أجيب من الفهرس السابق. السبب: {reason}"
UPLOAD_NO_FOLDER = "لا يمكن إضافة وثائق: المصادر ملف واحد لا مجلد. اجعل MARJAA_CORPUS مجلداً."
DOCUMENTS_TITLE = "الوثائق المضافة من تيليغرام"
DOCUMENTS_NONE = "لا توجد وثائق مضافة من تيليغرام. أرسل ملفاً ({suffixes}) لإضافته."
DOCUMENT_NOT_INDEXED = "لم تُفهرس بعد"
REMOVE_USAGE = "اكتب رقم الوثيقة بعد الأمر، مثل: /remove 1 (اكتب /documents لرؤية الأرقام)."
NO_DOCUMENT = "لا توجد وثيقة مضافة بالرقم «{value}». الأرقام من 1 إلى {count}؛ اكتب /documents."
REMOVE_CONFIRM = "هل أحذف الوثيقة «{title}» ({name})؟ لن أجيب منها بعد الحذف."
REMOVE_YES = "🗑 نعم، احذفها"
REMOVE_NO = "إلغاء"
REMOVE_CANCELLED = "أُلغي الحذف."
REMOVING = "⏳ جارٍ حذف «{title}» وتحديث الفهرس…"
REMOVED = "🗑 حُذفت الوثيقة «{title}». الفهرس الآن: {documents} وثيقة، {passages} فقرة."
REMOVE_GONE = "هذه الوثيقة محذوفة من قبل."
ADMINS_ONLY = "هذا الزر للمشرفين فقط."
