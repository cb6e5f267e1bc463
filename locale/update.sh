#!/usr/bin/env bash
# Regenerate and compile Qiyue's translation catalogues. Run from anywhere:
#
#     locale/update.sh            # makemessages (zh_Hans, en) + merge + compilemessages
#
# How the catalogues are kept
# ---------------------------
# Django loads only the "django" domain, and a catalogue in LOCALE_PATHS wins over the
# catalogues of installed apps. viewflow 2.4 ships an EMPTY zh_Hans catalogue and
# django-filter ships only zh_CN (never loaded for zh-hans), so their strings are
# translated here, each in its own source file OUTSIDE LC_MESSAGES (not compiled alone):
#
#     locale/zh_Hans/LC_MESSAGES/django.po   ours (from makemessages) + the merged files below
#     locale/zh_Hans/viewflow.po             viewflow's msgids, our Chinese
#     locale/zh_Hans/django_filters.po       django-filter's msgids, our Chinese
#     locale/en/LC_MESSAGES/django.po        ours, msgstr left empty (msgids are English)
#     locale/zh_Hans/LC_MESSAGES/djangojs.po written by hand: viewflow's bundled JS (month and
#                                            day names, "n selected"), served by /jsi18n/;
#                                            only compiled here, never regenerated
#
# Each run:
#   1. `manage.py makemessages -l zh_Hans -l en --no-obsolete` scans only our apps and
#      their templates (qiyue/, processes/, workflow/, documents/, permissions/, ground/); it keeps every
#      existing translation and DROPS the third-party entries, since they are not in our
#      sources (with --no-obsolete they are removed, not commented out as #~).
#   2. `msgcat --use-first` re-appends every locale/<lang>/*.po (locations stripped, in
#      alphabetical order) to LC_MESSAGES/django.po. When a msgid is both ours and
#      viewflow's (e.g. "Filter", "Back", "Task"), OUR translation wins; such a msgid is
#      translated automatically when first added to our sources, because msgmerge finds
#      it in the previous django.po.
#   3. `manage.py compilemessages` writes the .mo files that Django loads.
#
# So: translate our strings in LC_MESSAGES/django.po, third-party strings in
# viewflow.po / django_filters.po, and always regenerate with this script. Running a bare
# `makemessages --no-obsolete` drops the viewflow strings from django.po until this script
# runs again (tests/test_locale.py fails in that state). Commit both .po and .mo files.
# New untranslated or fuzzy entries are listed at the end; tests/test_locale.py fails on them.
#
# To refresh viewflow.po after upgrading viewflow, run makemessages inside a copy of the
# viewflow package (settings with LOCALE_PATHS=[]), then `msgmerge viewflow.po new.pot`.

set -euo pipefail
shopt -s nullglob

cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
LANGS=(zh_Hans en)
IGNORE=(--ignore=.venv --ignore=var --ignore=tests --ignore=benchmarks --ignore=scripts
        --ignore=node_modules --ignore=locale --ignore=staticfiles --ignore=media)

echo "==> makemessages ${LANGS[*]}"
"$PY" manage.py makemessages "${LANGS[@]/#/--locale=}" "${IGNORE[@]}" --no-obsolete

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for lang in "${LANGS[@]}"; do
    po="locale/$lang/LC_MESSAGES/django.po"
    extras=(locale/"$lang"/*.po)
    [ ${#extras[@]} -eq 0 ] && continue
    stripped=()
    for extra in "${extras[@]}"; do
        out="$tmp/$lang-$(basename "$extra")"
        msgcat --no-location "$extra" -o "$out"
        stripped+=("$out")
    done
    echo "==> merging ${extras[*]} into $po"
    msgcat --use-first "$po" "${stripped[@]}" -o "$tmp/$lang-django.po"
    mv "$tmp/$lang-django.po" "$po"
done

echo "==> compilemessages ${LANGS[*]}"
"$PY" manage.py compilemessages "${LANGS[@]/#/--locale=}" --ignore=.venv --ignore=var --ignore=node_modules

po=locale/zh_Hans/LC_MESSAGES/django.po
msgfmt --statistics -o /dev/null "$po"
for selection in --untranslated --only-fuzzy; do
    # Everything after the header entry, i.e. the entries still to translate.
    todo=$(msgattrib "$selection" --no-location "$po" | sed '1,/^$/d')
    if [ -n "$todo" ]; then
        echo "==> $po: ${selection#--} entries, to translate (tests/test_locale.py fails until then):"
        echo "$todo"
    fi
done
