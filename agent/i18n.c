/*
 * Translation setup (see i18n.h): gettext with the catalogs compiled at build
 * time. Only LC_MESSAGES is taken from the environment: LC_NUMERIC etc. stay
 * "C" so JSON numbers never get a decimal comma.
 */
#include "i18n.h"

#include <ctype.h>
#include <locale.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define CP_I18N_DOMAIN "caseprobe"

#ifndef CP_LOCALEDIR_INSTALLED
#define CP_LOCALEDIR_INSTALLED "/usr/local/share/locale"
#endif

static pthread_once_t g_once = PTHREAD_ONCE_INIT;
static const char *volatile g_lang = "en";
/* Recursive: a caller holding the lock (the assist page switching language
 * for a request) may render a report, which takes it again. */
static pthread_mutex_t g_lock;

static void lock_init(void)
{
  pthread_mutexattr_t a;
  pthread_mutexattr_init(&a);
  pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
  pthread_mutex_init(&g_lock, &a);
  pthread_mutexattr_destroy(&a);
}

static void init_once(void);

void cp_i18n_lock(void)
{
  pthread_once(&g_once, init_once);
  pthread_mutex_lock(&g_lock);
}
void cp_i18n_unlock(void)
{
  pthread_mutex_unlock(&g_lock);
}

static int file_exists(const char *path)
{
  struct stat st;
  return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* The folder holding <lang>/LC_MESSAGES/caseprobe.mo. */
static const char *locale_dir(void)
{
  const char *env = getenv("CASEPROBE_LOCALEDIR");
  if (env && *env)
    return env;
#ifdef CP_LOCALEDIR_BUILD
  if (file_exists(CP_LOCALEDIR_BUILD "/zh_CN/LC_MESSAGES/" CP_I18N_DOMAIN ".mo"))
    return CP_LOCALEDIR_BUILD;
#endif
  return CP_LOCALEDIR_INSTALLED;
}

/* Compares the first n bytes case-insensitively (ASCII). */
static int prefix_ieq(const char *a, const char *b, size_t n)
{
  for (size_t i = 0; i < n; i++) {
    if (tolower((unsigned char)a[i]) != tolower((unsigned char)b[i]))
      return 0;
    if (!a[i])
      return 1;
  }
  return 1;
}

/* Canonical form of a BCP 47 tag or POSIX locale name we support. The primary
 * subtag decides, except that Traditional Chinese (Hant, TW, HK, MO) is not
 * Simplified Chinese and is refused rather than mislabelled. */
const char *cp_i18n_canon(const char *tag)
{
  if (!tag)
    return NULL;
  size_t n = 0;
  while (tag[n] && isalpha((unsigned char)tag[n]))
    n++;
  if (n == 0 || n > 8)
    return NULL;
  const char *rest = tag + n;
  if (*rest && *rest != '-' && *rest != '_' && *rest != '.' && *rest != '@')
    return NULL;
  if (n == 2 && prefix_ieq(tag, "en", 2))
    return "en";
  if (n == 2 && prefix_ieq(tag, "zh", 2)) {
    /* look at the subtags up to the codeset */
    const char *p = rest;
    while (*p == '-' || *p == '_') {
      p++;
      size_t m = 0;
      while (p[m] && isalnum((unsigned char)p[m]))
        m++;
      if ((m == 4 && prefix_ieq(p, "hant", 4)) ||
          (m == 2 && (prefix_ieq(p, "tw", 2) || prefix_ieq(p, "hk", 2) || prefix_ieq(p, "mo", 2))))
        return NULL;
      p += m;
    }
    return "zh-Hans";
  }
  return NULL;
}

/* gettext's name for the catalog folder of a canonical tag. */
static const char *gettext_name(const char *canon)
{
  return strcmp(canon, "zh-Hans") == 0 ? "zh_CN" : "en";
}

/* LANGUAGE is a colon list (GNU); the first supported entry wins. Then the
 * POSIX order LC_ALL, LC_MESSAGES, LANG: the first one set decides. */
static const char *lang_from_env(void)
{
  const char *posix = NULL;
  const char *names[] = {"LC_ALL", "LC_MESSAGES", "LANG"};
  for (size_t i = 0; i < 3 && !posix; i++) {
    const char *v = getenv(names[i]);
    if (v && *v)
      posix = v;
  }
  const char *language = getenv("LANGUAGE");
  /* GNU gettext ignores LANGUAGE when the locale is C; a person who set
   * LANGUAGE alone (no LANG) still means it, so only an explicit C/POSIX
   * locale turns it off. */
  int posix_is_c = posix && (strcmp(posix, "C") == 0 || strcmp(posix, "POSIX") == 0);
  if (language && *language && !posix_is_c) {
    for (const char *p = language; *p;) {
      size_t n = strcspn(p, ":");
      char one[64];
      if (n > 0 && n < sizeof one) {
        memcpy(one, p, n);
        one[n] = '\0';
        const char *c = cp_i18n_canon(one);
        if (c)
          return c;
      }
      p += n;
      if (*p == ':')
        p++;
    }
  }
  const char *c = cp_i18n_canon(posix);
  return c ? c : "en";
}

/* LANGUAGE for gettext. Windows (MinGW/MSYS2 libintl) has _putenv_s, not
 * setenv; the one call is kept here rather than in platform.c because it is
 * this module's only portability point. */
static void set_language_env(const char *v)
{
#ifdef _WIN32
  (void)_putenv_s("LANGUAGE", v);
#else
  (void)setenv("LANGUAGE", v, 1);
#endif
}

/* Applies g_lang: LANGUAGE drives gettext's catalog choice; textdomain()
 * bumps gettext's catalog counter so cached translations are looked up anew. */
static void apply_lang(void)
{
  set_language_env(gettext_name(g_lang));
  textdomain(CP_I18N_DOMAIN);
}

/* Once per process (pthread_once: station jobs render reports in parallel). */
static void init_once(void)
{
  lock_init();
  const char *want = lang_from_env();
  /* LC_MESSAGES from the environment; when that locale is not installed or
   * is plain C, gettext would ignore LANGUAGE, so fall back to C.UTF-8 (the
   * catalogs are UTF-8 and bound as such below). */
  const char *m = setlocale(LC_MESSAGES, "");
  if (!m || strcmp(m, "C") == 0 || strcmp(m, "POSIX") == 0) {
    if (!setlocale(LC_MESSAGES, "C.UTF-8"))
      setlocale(LC_MESSAGES, "C.utf8");
  }
  bindtextdomain(CP_I18N_DOMAIN, locale_dir());
  bind_textdomain_codeset(CP_I18N_DOMAIN, "UTF-8");
  g_lang = want;
  apply_lang();
}

void cp_i18n_init(void)
{
  pthread_once(&g_once, init_once);
}

int cp_i18n_set_lang(const char *tag)
{
  const char *c = cp_i18n_canon(tag);
  if (!c)
    return -1;
  cp_i18n_lock();
  if (strcmp(c, g_lang) != 0) { /* setenv only when it changes: readers getenv() */
    g_lang = c;
    apply_lang();
  }
  cp_i18n_unlock();
  return 0;
}

const char *cp_i18n_lang(void)
{
  cp_i18n_init();
  return g_lang;
}

const char *cp_i18n_pick(const char *al)
{
  if (!al)
    return "en";
  const char *best = NULL;
  double best_q = 0.0;
  const char *p = al;
  while (*p) {
    while (*p == ' ' || *p == '\t' || *p == ',')
      p++;
    if (!*p)
      break;
    char tag[64];
    size_t n = 0;
    while (*p && *p != ',' && *p != ';' && *p != ' ' && *p != '\t') {
      if (n + 1 < sizeof tag)
        tag[n++] = *p;
      p++;
    }
    tag[n] = '\0';
    double q = 1.0;
    /* parameters: only q= matters */
    while (*p && *p != ',') {
      if (*p == ';') {
        p++;
        while (*p == ' ' || *p == '\t')
          p++;
        if ((p[0] == 'q' || p[0] == 'Q') && p[1] == '=') {
          char *end = NULL;
          q = strtod(p + 2, &end);
          if (end == p + 2 || q < 0.0 || q > 1.0)
            q = 0.0;
          p = end > p + 2 ? end : p + 2;
          continue;
        }
      }
      if (*p)
        p++;
    }
    const char *c = cp_i18n_canon(tag);
    if (c && q > best_q) {
      best = c;
      best_q = q;
    }
  }
  return best ? best : "en";
}
