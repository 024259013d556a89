/*
 * Translation: every sentence a person reads goes through _() so it can be
 * shown in English or Simplified Chinese (zh-Hans). Catalogs are gettext .po
 * files in agent/po/, compiled with msgfmt into the build tree's locale folder
 * and installed under share/locale, domain "caseprobe".
 *
 * Switching language: cp_i18n_set_lang() sets LANGUAGE and calls textdomain()
 * again (which invalidates gettext's cache), with LC_MESSAGES forced off the
 * plain "C" locale, where GNU gettext ignores LANGUAGE. (Per-call
 * dcgettext cannot name a language, and a per-language domain would need a
 * catalog per domain; LANGUAGE + textdomain is what GNU gettext documents for
 * switching at run time.) The language is process-wide: a server that
 * switches per request holds cp_i18n_lock() from cp_i18n_set_lang() to the
 * end of its rendering (the lock is recursive; cp_report_render takes it
 * too). setenv() is only called when the language really changes.
 */
#ifndef CP_I18N_H
#define CP_I18N_H

#include <libintl.h>

#define _(s) gettext(s)
#define N_(s) (s) /* marks a string for extraction; translated later with _() */

/* Binds the "caseprobe" domain (the build tree's locale folder when it holds
 * the catalog, else the installed one; CASEPROBE_LOCALEDIR overrides both) and
 * picks the language from LANGUAGE / LC_ALL / LC_MESSAGES / LANG. Idempotent. */
void cp_i18n_init(void);

/* Switches to `tag`: "en", "zh-Hans" (also zh, zh-CN, zh_CN.UTF-8, zh-SG,
 * zh-Hans-CN, en-US, en_GB.UTF-8 ...). 0 on success, -1 (language unchanged)
 * for an unsupported or malformed tag. Calls cp_i18n_init() if needed. */
int cp_i18n_set_lang(const char *tag);

/* The language in use: "en" or "zh-Hans" (static string). */
const char *cp_i18n_lang(void);

/* Canonical supported tag for `tag` ("en" | "zh-Hans"), or NULL. */
const char *cp_i18n_canon(const char *tag);

/* Best supported tag for an HTTP Accept-Language header (q-values honoured;
 * ties keep header order); "en" when nothing matches or the header is NULL. */
const char *cp_i18n_pick(const char *accept_language);

/* Serialises language switches with the translation that follows them. */
void cp_i18n_lock(void);
void cp_i18n_unlock(void);

#endif
