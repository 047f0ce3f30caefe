"""Make the format test documents of tests/data/formats/ with the real producers.

A developer tool, not part of the test suite: it needs LibreOffice, Chromium, fonts with
Arabic glyphs and python-docx/Pillow (see the comment of ``check_tools``); the files it makes
are committed, so CI never runs it.

    python -m tools.make_test_documents tests/data/formats          # the committed samples
    python -m tools.make_test_documents --bench data/formats-bench  # many more, with truth.json

The bench set applies every site template to every article and prints every article from
Chromium and LibreOffice, and writes ``truth.json`` (the article text, title, date, url and
the page furniture of each file) for bench/formats_study.py.
"""

from __future__ import annotations

import argparse
import html
import json
import random
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tools.sample_articles import (
    ALEXANDRIA,
    BOOK_FAIR,
    HENNA,
    HTML_ARTICLES,
    KUWAIT_RAIN,
    LAKE_NASSER,
    MOCHA,
    NOOR,
    OLIVES,
    OTHER_HEADLINES,
    TUNIS_RAIL,
    Article,
)

ALL_ARTICLES = (
    *HTML_ARTICLES,
    NOOR,
    ALEXANDRIA,
    OLIVES,
    MOCHA,
    KUWAIT_RAIN,
    LAKE_NASSER,
    HENNA,
    BOOK_FAIR,
)

ARABIC_MONTHS = "يناير فبراير مارس أبريل مايو يونيو يوليو أغسطس سبتمبر أكتوبر نوفمبر ديسمبر".split()


def check_tools() -> None:
    """apt-get install libreoffice-writer libreoffice-impress libreoffice-calc chromium
    fonts-noto-core fonts-kacst fonts-hosny-amiri; pip install python-docx Pillow."""
    missing = [tool for tool in ("soffice", "chromium") if not shutil.which(tool)]
    if missing:
        sys.exit(f"needs {', '.join(missing)}: {check_tools.__doc__}")


def arabic_date(article: Article) -> str:
    year, month, day = article.date[:10].split("-")
    return f"{int(day)} {ARABIC_MONTHS[int(month) - 1]} {year}"


def esc(text: str) -> str:
    return html.escape(text, quote=True)


# --------------------------------------------------------------------------- saved web pages


@dataclass
class Page:
    """A saved web page and what a reader must (not) take from it."""

    html: str
    encoding: str = "utf-8"
    boilerplate: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Site:
    name: str
    domain: str
    render: Callable[[Site, Article, random.Random], Page]


MENU = (
    "الرئيسية",
    "سياسة",
    "اقتصاد",
    "محليات",
    "عربي ودولي",
    "رياضة",
    "ثقافة وفنون",
    "تكنولوجيا",
    "منوعات",
    "مقالات الرأي",
    "فيديو",
)
COOKIE = (
    "نستخدم ملفات تعريف الارتباط (الكوكيز) لتحسين تجربتك وتقديم محتوى وإعلانات تناسب "
    "اهتماماتك. باستمرارك في تصفح الموقع فإنك توافق على سياسة الخصوصية الخاصة بنا."
)
NEWSLETTER = "اشترك في النشرة البريدية ليصلك أهم الأخبار صباح كل يوم."
SHARE = ("فيسبوك", "تويتر", "واتساب", "تيليجرام", "نسخ الرابط")
FOOTER_LINKS = ("من نحن", "اتصل بنا", "أعلن معنا", "سياسة الخصوصية", "شروط الاستخدام")
COMMENTS = (
    "مشروع رائع، نتمنى أن يعمم على باقي المحافظات في أقرب وقت.",
    "السؤال الأهم: متى سينعكس هذا على الفاتورة التي يدفعها المواطن كل شهر؟",
)
NOSCRIPT = "يرجى تفعيل جافا سكريبت في متصفحك لعرض الموقع بشكل صحيح."
SCRIPT_STRINGS = (
    'var i18n = {"loading": "جاري التحميل...", "error": "حدث خطأ، يرجى المحاولة مرة أخرى", '
    '"more": "عرض المزيد من الأخبار"};'
)
ANALYTICS = (
    "window.dataLayer = window.dataLayer || []; function gtag(){dataLayer.push(arguments);} "
    "gtag('js', new Date()); gtag('config', 'G-7Q2XK4LZ9M');"
)


def _others(article: Article, rng: random.Random, count: int) -> list[str]:
    titles = [a.title for a in ALL_ARTICLES if a.key != article.key]
    pool = [*OTHER_HEADLINES, *titles]
    rng.shuffle(pool)
    return pool[:count]


def _json_ld(site: Site, article: Article, url: str) -> str:
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title,
        "datePublished": article.date,
        "dateModified": article.date,
        "mainEntityOfPage": url,
        "author": {"@type": "Person", "name": article.author},
        "publisher": {"@type": "Organization", "name": site.name},
    }
    return json.dumps(data, ensure_ascii=False)


def _url(site: Site, article: Article) -> str:
    return article.url or f"https://www.{site.domain}/news/{article.key}"


def _paragraphs(article: Article, inline: str | None, tag: str = "p") -> str:
    """The article body, with an inline "read also" promo after the second paragraph."""
    out = []
    headings = dict((index, heading) for heading, index in article.headings)
    for index, text in enumerate(article.paragraphs):
        if index in headings:
            out.append(f"<h2>{esc(headings[index])}</h2>")
        if "\n" in text and " | " in text:
            rows = [row.split(" | ") for row in text.split("\n")]
            cells = "".join(
                "<tr>" + "".join(f"<td>{esc(c)}</td>" for c in row) + "</tr>" for row in rows
            )
            out.append(f'<table class="data">{cells}</table>')
        else:
            out.append(f"<{tag}>{esc(text)}</{tag}>")
        if index == 1 and inline:
            out.append(inline)
    return "\n".join(out)


def render_ofuq(site: Site, article: Article, rng: random.Random) -> Page:
    """A modern news site: <article>, JSON-LD, share bar, related, comments, cookie banner."""
    url = _url(site, article)
    related = _others(article, rng, 4)
    most_read = _others(article, rng, 5)
    read_also = related[0]
    menu = "".join(f'<li><a href="/{i}">{esc(m)}</a></li>' for i, m in enumerate(MENU))
    share = "".join(
        f'<a class="share-{i}" href="#" aria-label="{esc(s)}"><span>{esc(s)}</span></a>'
        for i, s in enumerate(SHARE)
    )
    related_html = "".join(
        f'<li><a href="/news/{rng.randint(10000, 99999)}"><img src="/img/t{i}.jpg" alt="">'
        f"<h3>{esc(t)}</h3></a></li>"
        for i, t in enumerate(related[1:])
    )
    most_html = "".join(
        f'<li><span class="n">{i + 1}</span><a href="/news/{rng.randint(10000, 99999)}">'
        f"{esc(t)}</a></li>"
        for i, t in enumerate(most_read)
    )
    tags = ("الأردن", "المياه", "الطاقة الشمسية") if article.key == "aqaba" else ("أخبار",)
    tags_html = "".join(f'<a href="/tag/{esc(t)}" rel="tag">{esc(t)}</a>' for t in tags)
    comments_html = "".join(
        f'<div class="comment"><b>زائر {i + 1}</b><p>{esc(c)}</p></div>'
        for i, c in enumerate(COMMENTS)
    )
    inline = (
        f'<div class="read-also"><strong>اقرأ أيضاً:</strong> '
        f'<a href="/news/{rng.randint(10000, 99999)}">{esc(read_also)}</a></div>'
    )
    page = f"""<!DOCTYPE html>
<!-- saved from url=({len(url):04d}){url} -->
<html lang="ar" dir="rtl"><head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(article.title)} - {esc(site.name)}</title>
<meta name="description" content="{esc(article.paragraphs[0][:150])}">
<link rel="canonical" href="{esc(url)}">
<meta property="og:type" content="article">
<meta property="og:site_name" content="{esc(site.name)}">
<meta property="og:title" content="{esc(article.title)}">
<meta property="og:url" content="{esc(url)}">
<meta property="article:published_time" content="{article.date}">
<meta property="article:section" content="{esc(article.section)}">
<script type="application/ld+json">{_json_ld(site, article, url)}</script>
<script async src="https://www.googletagmanager.com/gtag/js?id=G-7Q2XK4LZ9M"></script>
<script>{ANALYTICS}</script>
<script>{SCRIPT_STRINGS}</script>
<style>body{{font-family:"Noto Naskh Arabic",serif}} .cookie{{position:fixed;bottom:0}}</style>
</head><body class="single-article">
<noscript>{esc(NOSCRIPT)}</noscript>
<div class="topbar"><span class="today">الأحد، 17 مارس 2024</span>
<a href="/login">تسجيل الدخول</a> <a href="/subscribe">اشترك الآن</a></div>
<header class="site-header"><a class="logo" href="/"><img src="/logo.svg" alt="{esc(site.name)}"></a>
<nav class="main-menu"><ul>{menu}</ul></nav>
<form class="search" action="/search"><input name="q" placeholder="ابحث في الموقع"></form>
</header>
<div class="ticker"><b>عاجل</b> <a href="/news/1">{esc(most_read[0])}</a></div>
<main>
<ol class="breadcrumb"><li><a href="/">الرئيسية</a></li>
<li><a href="/{esc(article.section)}">{esc(article.section)}</a></li></ol>
<article class="post">
<h1 class="post-title">{esc(article.title)}</h1>
<div class="meta"><span class="author">كتب: {esc(article.author)}</span>
<time datetime="{article.date}">{arabic_date(article)}</time></div>
<div class="share-bar">{share}</div>
<figure><img src="/img/main.jpg" alt=""></figure>
<div class="post-body">
{_paragraphs(article, inline)}
</div>
<div class="tags"><span>الوسوم:</span>{tags_html}</div>
<div class="share-bar bottom">{share}</div>
</article>
<section class="related"><h2>أخبار ذات صلة</h2><ul>{related_html}</ul></section>
<section class="comments"><h2>التعليقات (2)</h2>{comments_html}
<form><textarea placeholder="أضف تعليقك"></textarea><button>إرسال</button></form></section>
</main>
<aside class="sidebar"><h2>الأكثر قراءة</h2><ol>{most_html}</ol>
<div class="newsletter"><p>{esc(NEWSLETTER)}</p><input type="email"><button>اشترك</button></div>
<div class="ad">إعلان</div></aside>
<footer><ul>{"".join(f'<li><a href="/p/{i}">{esc(f)}</a></li>' for i, f in enumerate(FOOTER_LINKS))}</ul>
<p>حمّل تطبيق {esc(site.name)} على هاتفك لمتابعة الأخبار العاجلة لحظة بلحظة.</p>
<p>© 2024 {esc(site.name)}. جميع الحقوق محفوظة.</p></footer>
<div class="cookie" id="cookie-consent"><p>{esc(COOKIE)}</p><button>موافق</button>
<a href="/privacy">سياسة الخصوصية</a></div>
<script>document.getElementById('cookie-consent').onclick=function(){{this.remove()}};</script>
</body></html>
"""
    boiler = [
        *MENU[1:],
        read_also,
        *related[1:],
        *most_read,
        *COMMENTS,
        COOKIE,
        NEWSLETTER,
        NOSCRIPT,
        "جاري التحميل",
        "حدث خطأ، يرجى المحاولة مرة أخرى",
        *SHARE,
        *FOOTER_LINKS,
        f"حمّل تطبيق {site.name} على هاتفك",
        "جميع الحقوق محفوظة",
        "ابحث في الموقع",
        "تسجيل الدخول",
        f"كتب: {article.author}",
        "الأكثر قراءة",
        "أخبار ذات صلة",
    ]
    return Page(page, "utf-8", boiler)


def render_khaleej(site: Site, article: Article, rng: random.Random) -> Page:
    """An older portal: windows-1256, table layout, no <article>, no JSON-LD, date in text."""
    url = _url(site, article)
    others = _others(article, rng, 6)
    menu = " | ".join(f'<a href="/sec/{i}" class="menu">{esc(m)}</a>' for i, m in enumerate(MENU))
    side = "".join(
        f'<tr><td class="side"><a href="/news/{rng.randint(1000, 9999)}.html">{esc(t)}</a></td></tr>'
        for t in others[:4]
    )
    day = arabic_date(article)
    body = _paragraphs(article, None)
    page = f"""<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN">
<!-- saved from url=({len(url):04d}){url} -->
<html dir="rtl"><head>
<meta http-equiv="Content-Type" content="text/html; charset=windows-1256">
<title>{esc(site.name)} - {esc(article.title)}</title>
<meta name="keywords" content="أخبار, السعودية, الخليج, {esc(article.section)}">
<meta property="og:url" content="{esc(url)}">
<meta property="og:image" content="https://www.{site.domain}/images/news/45871.jpg">
<link href="/css/style.css" rel="stylesheet" type="text/css">
<script language="javascript" src="/js/menu.js"></script>
<script language="javascript">
function MM_swapImage() {{ /* Dreamweaver */ }}
document.write('<div class="clock">' + "الوقت الآن: " + new Date().toLocaleTimeString() + '</div>');
</script>
</head>
<body bgcolor="#FFFFFF" topmargin="0">
<table width="980" align="center" cellpadding="0" cellspacing="0">
<tr><td colspan="2" class="banner"><img src="/images/banner.gif" alt="{esc(site.name)}"></td></tr>
<tr><td colspan="2" class="menubar">{menu}</td></tr>
<tr><td colspan="2" class="marquee"><marquee direction="right">{esc(others[4])} ... {esc(others[5])}</marquee></td></tr>
<tr>
<td width="700" valign="top" class="content">
<div class="path"><a href="/">الصفحة الرئيسية</a> &gt; <a href="/sec/3">{esc(article.section)}</a></div>
<h2 class="news-title">{esc(article.title)}</h2>
<div class="news-date">{esc(site.name)} - الرياض - نشر في: {day}</div>
<div class="news-body">
{body}
</div>
<div class="print"><a href="javascript:window.print()">طباعة</a> | <a href="/send">أرسل لصديق</a> | <a href="/fav">أضف إلى المفضلة</a></div>
<div class="rel"><b>أخبار ذات صلة</b><br>
{"<br>".join(f'<a href="/news/{rng.randint(1000, 9999)}.html">{esc(t)}</a>' for t in others[:3])}
</div>
</td>
<td width="280" valign="top"><table><tr><td class="sidehead">آخر الأخبار</td></tr>{side}</table>
<div class="poll"><b>استطلاع الرأي</b><br>هل تؤيد تمديد ساعات عمل الأسواق في الصيف؟<br>
<input type="radio"> نعم <input type="radio"> لا</div></td>
</tr>
<tr><td colspan="2" class="footer">جميع الحقوق محفوظة لـ {esc(site.name)} © 2003 - 2023<br>
أفضل عرض للموقع بدقة 1024×768 | تصميم وتطوير: شركة الحلول الرقمية</td></tr>
</table>
<script>var _gaq = _gaq || []; _gaq.push(['_setAccount', 'UA-1234567-1']);</script>
</body></html>
"""
    boiler = [
        *MENU[1:],
        *others,
        "الوقت الآن",
        "طباعة",
        "أرسل لصديق",
        "أضف إلى المفضلة",
        "آخر الأخبار",
        "هل تؤيد تمديد ساعات عمل الأسواق في الصيف؟",
        "جميع الحقوق محفوظة",
        "أفضل عرض للموقع بدقة",
        "شركة الحلول الرقمية",
        f"{site.name} - الرياض - نشر في",
    ]
    return Page(page, "windows-1256", boiler)


def render_shorouk(site: Site, article: Article, rng: random.Random) -> Page:
    """A script-heavy site: the story in <div class="story-body">, a video, a most-read
    sidebar, newsletter, app banner; <title> with a " | site" suffix."""
    url = _url(site, article)
    others = _others(article, rng, 7)
    state = json.dumps(
        {
            "page": "article",
            "ads": {"slot": "top", "text": "مساحة إعلانية"},
            "recommended": others[:2],
        },
        ensure_ascii=False,
    )
    nav = "".join(f'<a class="nav-item" href="/s/{i}">{esc(m)}</a>' for i, m in enumerate(MENU))
    most = "".join(f"<li>{esc(t)}</li>" for t in others[2:6])
    page = f"""<!doctype html>
<html lang="ar" dir="rtl"><head><meta charset="UTF-8">
<title>{esc(article.title)} | {esc(site.name)}</title>
<meta property="og:title" content="{esc(article.title)}">
<meta property="og:site_name" content="{esc(site.name)}">
<meta property="og:description" content="{esc(article.paragraphs[0][:120])}">
<meta property="article:published_time" content="{article.date}">
<meta name="twitter:card" content="summary_large_image">
<link rel="canonical" href="{esc(url)}">
<link rel="amphtml" href="{esc(url)}/amp">
<script>window.__INITIAL_STATE__ = {state};</script>
<script src="/static/js/vendor.7f3a9c.js" defer></script>
<script src="/static/js/app.1b2c3d.js" defer></script>
<style>.story-body p{{line-height:1.9}} .hidden{{display:none}}</style>
</head><body>
<div id="app">
<div class="app-banner">حمّل تطبيق {esc(site.name)} مجاناً <a href="#">iOS</a> <a href="#">Android</a></div>
<div class="header"><div class="logo">{esc(site.name)}</div>
<div class="nav">{nav}</div>
<div class="social"><a href="#">تابعنا على فيسبوك</a> <a href="#">تابعنا على إكس</a></div></div>
<div class="container"><div class="main-col">
<div class="crumbs"><a href="/">الرئيسية</a> / <a href="/s/6">{esc(article.section)}</a></div>
<h1>{esc(article.title)}</h1>
<div class="byline">بقلم: {esc(article.author)} · {arabic_date(article)}</div>
<div class="video"><iframe src="https://www.youtube.com/embed/x7Yq2" title="فيديو"></iframe>
<p class="caption">فيديو: لقطات من موقع الحدث</p></div>
<div class="story-body">
{_paragraphs(article, None)}
</div>
<div class="hidden" aria-hidden="true">{esc(others[6])}</div>
<div class="share"><span>شارك الخبر:</span>{"".join(f'<a href="#">{esc(s)}</a>' for s in SHARE)}</div>
<div class="newsletter-box"><h3>النشرة البريدية</h3><p>{esc(NEWSLETTER)}</p></div>
</div>
<div class="side-col"><h3>الأكثر قراءة</h3><ol>{most}</ol></div></div>
<div class="footer"><div>{" · ".join(esc(f) for f in FOOTER_LINKS)}</div>
<div>جميع الحقوق محفوظة © {esc(site.name)} 2024</div></div>
<div class="gdpr">{esc(COOKIE)} <button>قبول</button> <button>رفض</button></div>
</div>
<script>console.log("{esc(article.title)}");</script>
</body></html>
"""
    boiler = [
        *MENU[1:],
        *others,
        "مساحة إعلانية",
        f"حمّل تطبيق {site.name} مجاناً",
        "تابعنا على فيسبوك",
        "فيديو: لقطات من موقع الحدث",
        f"بقلم: {article.author}",
        "شارك الخبر",
        *SHARE,
        "النشرة البريدية",
        NEWSLETTER,
        "الأكثر قراءة",
        *FOOTER_LINKS,
        "جميع الحقوق محفوظة",
        COOKIE,
    ]
    return Page(page, "utf-8", boiler)


def render_maghreb(site: Site, article: Article, rng: random.Random) -> Page:
    """A WordPress theme: entry-content, widgets, related posts, a comment form, a French
    and Arabic menu (a Tunisian site)."""
    url = _url(site, article)
    others = _others(article, rng, 6)
    menu = ("Accueil", "وطنية", "Société", "اقتصاد", "Sport", "ثقافة", "Contact")
    menu_html = "".join(
        f'<li class="menu-item"><a href="https://{site.domain}/{i}/">{esc(m)}</a></li>'
        for i, m in enumerate(menu)
    )
    related = "".join(
        f'<div class="related-post"><a href="https://{site.domain}/p/{rng.randint(100, 999)}/">'
        f'<img src="x.jpg" width="150"><h4>{esc(t)}</h4></a><span class="date">منذ يومين</span></div>'
        for t in others[:3]
    )
    recent = "".join(f'<li><a href="#">{esc(t)}</a></li>' for t in others[3:6])
    page = f"""<!DOCTYPE html>
<html dir="rtl" lang="ar-TN">
<head>
<meta charset="UTF-8" />
<title>{esc(article.title)} &#8211; {esc(site.name)}</title>
<meta name='robots' content='index, follow, max-image-preview:large' />
<link rel="canonical" href="{esc(url)}" />
<meta property="og:locale" content="ar_AR" />
<meta property="og:type" content="article" />
<meta property="og:title" content="{esc(article.title)} &#8211; {esc(site.name)}" />
<meta property="og:url" content="{esc(url)}" />
<meta property="article:published_time" content="{article.date}" />
<script type="application/ld+json" class="yoast-schema-graph">{_json_ld(site, article, url)}</script>
<link rel='stylesheet' id='wp-block-library-css' href='https://{site.domain}/wp-includes/css/dist/block-library/style.min.css?ver=6.4.2' media='all' />
<script src="https://{site.domain}/wp-includes/js/jquery/jquery.min.js?ver=3.7.1" id="jquery-core-js"></script>
</head>
<body class="post-template-default single single-post rtl">
<div id="page" class="site">
<a class="skip-link screen-reader-text" href="#content">تجاوز إلى المحتوى</a>
<header id="masthead" class="site-header">
<p class="site-title"><a href="https://{site.domain}/" rel="home">{esc(site.name)}</a></p>
<p class="site-description">أخبار تونس والمغرب العربي على مدار الساعة</p>
<nav id="site-navigation" class="main-navigation"><ul id="primary-menu" class="menu">{menu_html}</ul></nav>
</header>
<div id="content" class="site-content"><div id="primary" class="content-area"><main id="main" class="site-main">
<article id="post-4512" class="post-4512 post type-post status-publish format-standard">
<header class="entry-header"><h1 class="entry-title">{esc(article.title)}</h1>
<div class="entry-meta"><span class="posted-on">نشر في <a href="{esc(url)}" rel="bookmark"><time class="entry-date published" datetime="{article.date}">{arabic_date(article)}</time></a></span>
<span class="byline"> بواسطة <span class="author vcard">{esc(article.author)}</span></span></div>
</header>
<div class="entry-content">
{_paragraphs(article, None)}
<div class="sharedaddy"><h3 class="sd-title">شارك هذا المقال:</h3><ul>{"".join(f"<li>{esc(s)}</li>" for s in SHARE)}</ul></div>
<div class="jp-relatedposts"><h3 class="jp-relatedposts-headline"><em>مقالات ذات صلة</em></h3>{related}</div>
</div>
<footer class="entry-footer"><span class="cat-links">نشرت في <a href="#" rel="category tag">{esc(article.section)}</a></span></footer>
</article>
<nav class="navigation post-navigation"><div class="nav-links"><div class="nav-previous"><a href="#" rel="prev">{esc(others[0])}</a></div></div></nav>
<div id="comments" class="comments-area"><div id="respond" class="comment-respond"><h3 id="reply-title" class="comment-reply-title">اترك تعليقاً</h3>
<form><p class="comment-notes">لن يتم نشر عنوان بريدك الإلكتروني. الحقول الإلزامية مشار إليها بـ *</p>
<p class="comment-form-comment"><label>التعليق</label><textarea></textarea></p></form></div></div>
</main></div>
<aside id="secondary" class="widget-area"><section class="widget widget_recent_entries"><h2 class="widget-title">أحدث المقالات</h2><ul>{recent}</ul></section>
<section class="widget widget_text"><div class="textwidget"><p>{esc(NEWSLETTER)}</p></div></section></aside>
</div>
<footer id="colophon" class="site-footer"><div class="site-info">جميع الحقوق محفوظة © 2023 {esc(site.name)} | مدعوم من ووردبريس</div></footer>
</div>
<div id="cookie-law-info-bar"><span>{esc(COOKIE)}<a role="button" class="cli_action_button">أوافق</a></span></div>
<script id="cookie-law-info-js-extra">var Cli_Data = {{"nn_cookie_ids":[],"cookielist":[]}};</script>
</body></html>
"""
    boiler = [
        *menu,
        *others,
        "تجاوز إلى المحتوى",
        "أخبار تونس والمغرب العربي على مدار الساعة",
        f"بواسطة {article.author}",
        "شارك هذا المقال",
        *SHARE,
        "مقالات ذات صلة",
        "منذ يومين",
        "اترك تعليقاً",
        "لن يتم نشر عنوان بريدك الإلكتروني",
        "أحدث المقالات",
        NEWSLETTER,
        "جميع الحقوق محفوظة",
        "مدعوم من ووردبريس",
        COOKIE,
    ]
    return Page(page, "utf-8", boiler)


SITES = (
    Site("صحيفة الأفق", "al-ofuq.com", render_ofuq),
    Site("بوابة الخليج الإخبارية", "khaleej-gate.net", render_khaleej),
    Site("الشروق الرقمي", "alshorouk-digital.com", render_shorouk),
    Site("المغرب اليوم", "maghreb-today.tn", render_maghreb),
)


def write_page(site: Site, article: Article, path: Path, seed: int) -> dict:
    page = site.render(site, article, random.Random(seed))
    path.write_bytes(page.html.encode(page.encoding, "xmlcharrefreplace"))
    return {
        "file": path.name,
        "kind": "html",
        "site": site.name,
        "encoding": page.encoding,
        "title": article.title,
        "date": article.date[:10],
        "url": _url(site, article),
        "paragraphs": list(article.paragraphs),
        "headings": [heading for heading, _ in article.headings],
        "boilerplate": page.boilerplate,
    }


# --------------------------------------------------------------------------- producers


def run(command: list[str], cwd: Path | None = None) -> None:
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=240)
    if done.returncode:
        sys.exit(f"failed: {' '.join(command)}\n{done.stdout}{done.stderr}")


class Office:
    """LibreOffice, headless, with a throwaway profile (it refuses to share one)."""

    def __init__(self, scratch: Path) -> None:
        self.profile = (scratch / "lo-profile").as_uri()

    def convert(self, source: Path, fmt: str, out: Path) -> Path:
        run(
            [
                "soffice",
                f"-env:UserInstallation={self.profile}",
                "--headless",
                "--convert-to",
                fmt,
                "--outdir",
                str(out),
                str(source),
            ]
        )
        produced = out / f"{source.stem}.{fmt.split(':')[0]}"
        if not produced.exists():
            sys.exit(f"LibreOffice made no {produced}")
        return produced


class Chromium:
    """Headless Chromium with the flags of the developers' guide."""

    def __init__(self, scratch: Path) -> None:
        self.scratch = scratch
        self.runs = 0

    def _flags(self) -> list[str]:
        self.runs += 1
        profile = self.scratch / f"chromium-profile-{self.runs}"
        return [
            "chromium",
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
        ]

    def pdf(self, source: Path, out: Path) -> None:
        # Chromium's default print header/footer (date, title, URL, page i/n) is kept: it is
        # what "Save as PDF" gives a user, and it is the repeated furniture a reader must drop
        run([*self._flags(), f"--print-to-pdf={out}", source.as_uri()])

    def screenshot(self, source: Path, out: Path, size: str) -> None:
        run(
            [
                *self._flags(),
                "--hide-scrollbars",
                f"--window-size={size}",
                f"--screenshot={out}",
                source.as_uri(),
            ]
        )


PRINT_CSS = """
@page { size: A4; margin: 22mm 18mm; }
body { font-family: "Noto Naskh Arabic", "Amiri", serif; font-size: 17pt; line-height: 1.8; }
h1 { font-size: 24pt; } .meta { color: #555; font-size: 12pt; }
table { border-collapse: collapse; } td { border: 1px solid #999; padding: 4px 10px; }
"""


def print_page(article: Article, site_name: str) -> str:
    """An article as a site's "print this article" page: the story only."""
    return f"""<!DOCTYPE html><html lang="ar" dir="rtl"><head><meta charset="utf-8">
<title>{esc(article.title)} - {esc(site_name)}</title><style>{PRINT_CSS}</style></head>
<body><div class="meta">{esc(site_name)} · {arabic_date(article)}</div>
<h1>{esc(article.title)}</h1>
{_paragraphs(article, None)}
</body></html>
"""


# ---- Word documents


def _rtl(paragraph) -> None:
    """Mark a python-docx paragraph and its runs right-to-left, as Word does for Arabic."""
    from docx.oxml import OxmlElement

    ppr = paragraph._p.get_or_add_pPr()
    ppr.insert(0, OxmlElement("w:bidi"))
    for run_ in paragraph.runs:
        run_._r.get_or_add_rPr().append(OxmlElement("w:rtl"))


def _page_field(paragraph) -> None:
    """Append a PAGE field (the page number) to a python-docx paragraph."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    run_ = paragraph.add_run()
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run_._r.append(element)


def make_docx(article: Article, path: Path, header: str | None, page_breaks: bool) -> None:
    """A Word document written with python-docx: title, headings, paragraphs, tables, core
    properties; optionally a page header/footer and a page break before each heading."""
    import datetime

    from docx import Document
    from docx.enum.text import WD_BREAK
    from docx.oxml import OxmlElement
    from docx.shared import Pt

    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "Noto Naskh Arabic"
    style.font.size = Pt(14)
    props = doc.core_properties
    props.title = article.title
    props.author = article.author
    props.created = datetime.datetime.fromisoformat(article.date).replace(tzinfo=None)
    props.language = "ar-SA"
    if header:
        section = doc.sections[0]
        _rtl(section.header.paragraphs[0])
        section.header.paragraphs[0].text = header
        _rtl(section.header.paragraphs[0])
        foot = section.footer.paragraphs[0]
        foot.add_run("صفحة ")
        _page_field(foot)
        _rtl(foot)
    _rtl(doc.add_heading(article.title, level=1))
    headings = dict((index, heading) for heading, index in article.headings)
    for index, text in enumerate(article.paragraphs):
        if index in headings:
            if page_breaks and index:
                doc.paragraphs[-1].add_run().add_break(WD_BREAK.PAGE)
            _rtl(doc.add_heading(headings[index], level=2))
        if "\n" in text and " | " in text:
            rows = [row.split(" | ") for row in text.split("\n")]
            table = doc.add_table(rows=len(rows), cols=len(rows[0]))
            table.style = "Table Grid"
            # a right-to-left table (first column on the right), as Word makes it for Arabic
            table._tbl.tblPr.append(OxmlElement("w:bidiVisual"))
            for r, row in enumerate(rows):
                for c, cell in enumerate(row):
                    table.cell(r, c).text = cell
                    _rtl(table.cell(r, c).paragraphs[0])
            continue
        _rtl(doc.add_paragraph(text))
    doc.save(str(path))


def fodt(article: Article) -> str:
    """The article as a flat OpenDocument text (LibreOffice's own XML), with metadata."""
    body = []
    headings = dict((index, heading) for heading, index in article.headings)
    body.append(
        f'<text:h text:style-name="H1" text:outline-level="1">{esc(article.title)}</text:h>'
    )
    for index, text in enumerate(article.paragraphs):
        if index in headings:
            body.append(
                f'<text:h text:style-name="H2" text:outline-level="2">{esc(headings[index])}</text:h>'
            )
        if "\n" in text and " | " in text:
            rows = [row.split(" | ") for row in text.split("\n")]
            cols = "".join("<table:table-column/>" for _ in rows[0])
            cells = "".join(
                "<table:table-row>"
                + "".join(
                    f'<table:table-cell office:value-type="string"><text:p text:style-name="P">{esc(c)}</text:p></table:table-cell>'
                    for c in row
                )
                + "</table:table-row>"
                for row in rows
            )
            body.append(f'<table:table table:name="T{index}">{cols}{cells}</table:table>')
        else:
            body.append(f'<text:p text:style-name="P">{esc(text)}</text:p>')
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"
 xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"
 xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"
 xmlns:dc="http://purl.org/dc/elements/1.1/"
 xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0"
 office:version="1.3" office:mimetype="application/vnd.oasis.opendocument.text">
<office:meta><dc:title>{esc(article.title)}</dc:title><dc:creator>{esc(article.author)}</dc:creator>
<meta:creation-date>{article.date[:19]}</meta:creation-date><dc:date>{article.date[:19]}</dc:date>
<dc:language>ar</dc:language></office:meta>
<office:styles>
<style:style style:name="Standard" style:family="paragraph">
<style:paragraph-properties style:writing-mode="rl-tb" fo:text-align="start"/>
<style:text-properties style:font-name-complex="Noto Naskh Arabic" style:font-size-complex="14pt" style:language-complex="ar" style:country-complex="SA"/></style:style>
<style:style style:name="Heading_20_1" style:display-name="Heading 1" style:family="paragraph" style:parent-style-name="Standard" style:default-outline-level="1">
<style:text-properties style:font-size-complex="20pt" style:font-weight-complex="bold"/></style:style>
<style:style style:name="Heading_20_2" style:display-name="Heading 2" style:family="paragraph" style:parent-style-name="Standard" style:default-outline-level="2">
<style:text-properties style:font-size-complex="16pt" style:font-weight-complex="bold"/></style:style>
</office:styles>
<office:automatic-styles>
<style:style style:name="H1" style:family="paragraph" style:parent-style-name="Heading_20_1"/>
<style:style style:name="H2" style:family="paragraph" style:parent-style-name="Heading_20_2"/>
<style:style style:name="P" style:family="paragraph" style:parent-style-name="Standard"/>
</office:automatic-styles>
<office:body><office:text>
{chr(10).join(body)}
</office:text></office:body></office:document>
"""


def fodp(article: Article) -> str:
    """A two-slide flat OpenDocument presentation (turned into the unsupported .pptx)."""
    slides = []
    for number, text in enumerate((article.title, article.paragraphs[0]), start=1):
        slides.append(
            f'<draw:page draw:name="S{number}"><draw:frame svg:x="2cm" svg:y="3cm" svg:width="24cm" '
            f'svg:height="10cm"><draw:text-box><text:p>{esc(text)}</text:p></draw:text-box>'
            "</draw:frame></draw:page>"
        )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"
 xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0"
 office:version="1.3" office:mimetype="application/vnd.oasis.opendocument.presentation">
<office:body><office:presentation>{"".join(slides)}</office:presentation></office:body>
</office:document>
"""


# ---- plain text in the encodings of older archives


def plain_text(article: Article) -> str:
    """The article as a .txt file of an archive: the headline, a blank line, paragraphs."""
    body = [article.title, ""]
    for text in article.paragraphs:
        body += [text, ""]
    return "\r\n".join(body)  # Windows line ends: these files come from Notepad and friends


MARKDOWN = """# كيف تحمي نخيلك من سوسة النخيل الحمراء

تعد **سوسة النخيل الحمراء** أخطر آفة تصيب النخيل في المنطقة العربية، إذ تحفر يرقاتها داخل \
جذع النخلة وتتغذى على أنسجتها حتى تسقط.

## الأعراض

أعراض الإصابة التي يجب الانتباه إليها:

* ثقوب في جذع النخلة يخرج منها *سائل بني لزج* ذو رائحة كريهة.
* اصفرار السعف الداخلي وذبوله.
- نشارة خشبية متجمعة عند قاعدة الجذع.

## الوقاية والعلاج

ويوصي المختصون بفحص كل نخلة مرة كل شهرين على الأقل، وبوضع **مصائد فرمونية** بمعدل \
مصيدة واحدة لكل هكتار، كما يشرح [دليل وزارة الزراعة](https://www.moa.gov.example/weevil) \
بالتفصيل.

> **ملاحظة:** عند اكتشاف نخلة مصابة إصابة شديدة يجب قطعها وحرقها في مكانها، لأن نقلها \
ينشر الحشرة إلى مزارع أخرى.

---

للمزيد راجع `دليل المكافحة المتكاملة` على ![صورة](weevil.png) موقع المركز.
"""


def scanned_pdf(article: Article, chromium: Chromium, scratch: Path, out: Path) -> None:
    """A page of Arabic text photographed: an image-only PDF, as a scanner's software makes."""
    from PIL import Image, ImageFilter

    source = scratch / "scan.html"
    source.write_text(
        print_page(replace_paragraphs(article, 2), "نسخة ورقية").replace(
            "font-size: 17pt", "font-size: 15pt; margin: 40px"
        ),
        encoding="utf-8",
    )
    png = scratch / "scan.png"
    chromium.screenshot(source, png, "850,1100")
    image = Image.open(png).convert("L").rotate(0.7, fillcolor=255, expand=False)
    image = image.filter(ImageFilter.GaussianBlur(0.6))
    noise = random.Random(7)
    pixels = image.load()
    for _ in range(6000):  # specks of a photocopy
        x, y = noise.randrange(image.width), noise.randrange(image.height)
        pixels[x, y] = noise.randrange(90, 200)
    image.save(out, "PDF", resolution=100.0, quality=60)


def replace_paragraphs(article: Article, count: int) -> Article:
    from dataclasses import replace

    return replace(article, paragraphs=article.paragraphs[:count], headings=())


def xlsx_source(scratch: Path) -> Path:
    path = scratch / "dates_sales.csv"
    rows = ["الصنف,السعر (ريال/كغ),الكمية (طن)", "سكري,28,1200", "خلاص,22,640", "صقعي,25,310"]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


# --------------------------------------------------------------------------- main


def make_samples(out: Path, scratch: Path) -> None:
    """The committed samples: a few files of each format, small."""
    office, chromium = Office(scratch), Chromium(scratch)
    html_dir = out
    for site, article in zip(SITES, HTML_ARTICLES, strict=True):
        write_page(site, article, html_dir / f"{article.key}.html", seed=len(article.key))
    # PDF from Word through LibreOffice: three pages, a header and "صفحة N" footer on each
    report = scratch / "noor_report.docx"
    make_docx(NOOR, report, "الوكالة المغربية للطاقة المستدامة — التقرير السنوي 2023", True)
    shutil.copy(office.convert(report, "pdf", scratch), out / "noor_report.pdf")
    # PDF from Chromium's print of an Arabic page, with its default header and footer
    printed = scratch / "alexandria.html"
    printed.write_text(print_page(ALEXANDRIA, "أخبار النيل"), encoding="utf-8")
    chromium.pdf(printed, out / "alexandria_print.pdf")
    single = scratch / "tunis_rail_print.html"  # one page: its header and footer repeat nowhere
    single.write_text(print_page(TUNIS_RAIL, "المغرب اليوم"), encoding="utf-8")
    chromium.pdf(single, out / "tunis_rail_print.pdf")
    scanned_pdf(HENNA, chromium, scratch, out / "henna_scan.pdf")
    # Word: python-docx, and LibreOffice from its own format (also the unsupported .odt/.doc)
    make_docx(OLIVES, out / "olives.docx", None, False)
    flat = scratch / "mocha.fodt"
    flat.write_text(fodt(MOCHA), encoding="utf-8")
    shutil.copy(office.convert(flat, "docx:MS Word 2007 XML", scratch), out / "mocha.docx")
    shutil.copy(office.convert(flat, "odt", scratch), out / "mocha.odt")
    shutil.copy(office.convert(flat, "doc:MS Word 97", scratch), out / "mocha.doc")
    deck = scratch / "aqaba_slides.fodp"
    deck.write_text(fodp(AQABA_DECK), encoding="utf-8")
    shutil.copy(office.convert(deck, "pptx", scratch), out / "aqaba_slides.pptx")
    shutil.copy(office.convert(xlsx_source(scratch), "xlsx", scratch), out / "dates_sales.xlsx")
    # Text in the encodings of older archives
    (out / "kuwait_rain_cp1256.txt").write_bytes(plain_text(KUWAIT_RAIN).encode("cp1256"))
    (out / "lake_nasser_iso8859_6.txt").write_bytes(plain_text(LAKE_NASSER).encode("iso8859_6"))
    (out / "henna_utf16.txt").write_bytes(plain_text(HENNA).encode("utf-16"))  # BOM, LE
    (out / "book_fair_bom.txt").write_bytes(plain_text(BOOK_FAIR).encode("utf-8-sig"))
    (out / "red_weevil.md").write_text(MARKDOWN, encoding="utf-8")


AQABA_DECK = HTML_ARTICLES[0]


def make_bench(out: Path, scratch: Path) -> None:
    """Every site template on every article, every article printed by Chromium and by
    LibreOffice, and truth.json describing each file."""
    office, chromium = Office(scratch), Chromium(scratch)
    truth = []
    for s, site in enumerate(SITES):
        for article in ALL_ARTICLES:
            path = out / f"site{s}_{article.key}.html"
            truth.append(write_page(site, article, path, seed=s * 100 + len(article.key)))
    for article in ALL_ARTICLES:
        printed = scratch / f"{article.key}.html"
        printed.write_text(print_page(article, "أخبار"), encoding="utf-8")
        chromium.pdf(printed, out / f"chromium_{article.key}.pdf")
        truth.append(pdf_truth(article, f"chromium_{article.key}.pdf", "chromium"))
        doc = scratch / f"{article.key}.docx"
        make_docx(article, doc, f"نشرة {article.section} — {article.key}", bool(article.headings))
        shutil.copy(office.convert(doc, "pdf", scratch), out / f"office_{article.key}.pdf")
        truth.append(pdf_truth(article, f"office_{article.key}.pdf", "libreoffice"))
    (out / "truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1), "utf-8")


def pdf_truth(article: Article, name: str, producer: str) -> dict:
    return {
        "file": name,
        "kind": "pdf",
        "producer": producer,
        "title": article.title,
        "paragraphs": [article.title, *article.paragraphs, *(h for h, _ in article.headings)],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--bench", action="store_true", help="the measurement set")
    args = parser.parse_args()
    check_tools()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="marjaa-docs-") as tmp:
        (make_bench if args.bench else make_samples)(args.out, Path(tmp))
    for path in sorted(args.out.iterdir()):
        print(f"{path.stat().st_size:>8}  {path}")


if __name__ == "__main__":
    main()
