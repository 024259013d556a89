/* Unit tests of agent/i18n: tag canonicalisation, Accept-Language picking,
 * the language taken from the environment, and a real zh-Hans translation
 * coming back from the catalog msgfmt compiled at build time, with a switch
 * back and forth at run time (the assist page switches per request). */
// clang-format off
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
// clang-format on

#include "i18n.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void test_canon(void **state)
{
  (void)state;
  assert_string_equal(cp_i18n_canon("en"), "en");
  assert_string_equal(cp_i18n_canon("en-US"), "en");
  assert_string_equal(cp_i18n_canon("en_GB.UTF-8"), "en");
  assert_string_equal(cp_i18n_canon("zh"), "zh-Hans");
  assert_string_equal(cp_i18n_canon("zh-Hans"), "zh-Hans");
  assert_string_equal(cp_i18n_canon("zh-hans-cn"), "zh-Hans");
  assert_string_equal(cp_i18n_canon("zh-CN"), "zh-Hans");
  assert_string_equal(cp_i18n_canon("zh_CN.UTF-8"), "zh-Hans");
  assert_string_equal(cp_i18n_canon("zh_SG"), "zh-Hans");
  assert_null(cp_i18n_canon("zh-TW"));
  assert_null(cp_i18n_canon("zh-Hant"));
  assert_null(cp_i18n_canon("zh_HK.UTF-8"));
  assert_null(cp_i18n_canon("de"));
  assert_null(cp_i18n_canon("eng"));
  assert_null(cp_i18n_canon(""));
  assert_null(cp_i18n_canon("C"));
  assert_null(cp_i18n_canon("zh!"));
  assert_null(cp_i18n_canon(NULL));
}

static void test_pick(void **state)
{
  (void)state;
  assert_string_equal(cp_i18n_pick(NULL), "en");
  assert_string_equal(cp_i18n_pick(""), "en");
  assert_string_equal(cp_i18n_pick("de-DE,fr;q=0.9"), "en");
  assert_string_equal(cp_i18n_pick("zh-CN,zh;q=0.9,en;q=0.8"), "zh-Hans");
  assert_string_equal(cp_i18n_pick("en-US,en;q=0.9,zh-CN;q=0.8"), "en");
  assert_string_equal(cp_i18n_pick("de;q=1.0, zh-Hans;q=0.7, en;q=0.3"), "zh-Hans");
  assert_string_equal(cp_i18n_pick("en;q=0.2, zh ; q=0.5"), "zh-Hans");
  assert_string_equal(cp_i18n_pick("zh-TW,en;q=0.5"), "en");
  assert_string_equal(cp_i18n_pick("zh-CN;q=0,en;q=0.1"), "en");
  assert_string_equal(cp_i18n_pick("*"), "en");
  assert_string_equal(cp_i18n_pick(";;;,,,q=,zh;q=abc,zh-SG"), "zh-Hans");
}

/* The catalog is found in the build tree and a known string comes back in
 * Chinese; switching back gives the English msgid; a bad tag changes nothing. */
static void test_translation_switches(void **state)
{
  (void)state;
  unsetenv("CASEPROBE_LOCALEDIR");
  cp_i18n_init();
  assert_int_equal(cp_i18n_set_lang("zh_CN.UTF-8"), 0);
  assert_string_equal(cp_i18n_lang(), "zh-Hans");
  assert_string_equal(_("Service recommended"), "建议维修");
  assert_int_equal(cp_i18n_set_lang("en"), 0);
  assert_string_equal(cp_i18n_lang(), "en");
  assert_string_equal(_("Service recommended"), "Service recommended");
  assert_int_equal(cp_i18n_set_lang("zh-Hans"), 0);
  assert_string_equal(_("Service recommended"), "建议维修");
  assert_int_equal(cp_i18n_set_lang("fr"), -1);
  assert_string_equal(cp_i18n_lang(), "zh-Hans");
  assert_string_equal(_("Service recommended"), "建议维修");
  /* a string with no translation comes back as itself */
  assert_string_equal(_("no such message 7f3a"), "no such message 7f3a");
  cp_i18n_set_lang("en");
}

int main(void)
{
  /* The environment decides the first language; the process starts in a
   * plain C locale here, which GNU gettext would otherwise honour by ignoring
   * LANGUAGE, so this also proves the C.UTF-8 fallback. */
  unsetenv("LC_ALL");
  unsetenv("LC_MESSAGES");
  /* a GNU LANGUAGE list: the first language caseprobe speaks wins */
  setenv("LANGUAGE", "de_DE:fr:zh_CN:en", 1);
  setenv("LANG", "en_US.UTF-8", 1);
  cp_i18n_init();
  if (strcmp(cp_i18n_lang(), "zh-Hans") != 0) {
    fprintf(stderr, "LANGUAGE=de_DE:fr:zh_CN:en gave %s\n", cp_i18n_lang());
    return 1;
  }
  if (strcmp(_("Service recommended"), "建议维修") != 0) {
    fprintf(stderr, "no zh-Hans translation from LANG=zh_CN.UTF-8: \"%s\"\n",
            _("Service recommended"));
    return 1;
  }
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_canon),
      cmocka_unit_test(test_pick),
      cmocka_unit_test(test_translation_switches),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
