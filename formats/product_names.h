/*
 * ProductType ("iPhone14,5") -> marketing name ("iPhone 13") and the few
 * per-model facts caseprobe needs: the battery's rated cycle count (Apple:
 * 500 for iPhone 14 and older, 1000 for iPhone 15 and later and for iPads)
 * and whether the battery gauge lives in AppleARMPMUCharger (iPhone 7 and
 * older) rather than AppleSmartBattery. A read-only table: safe from any thread.
 */
#ifndef CP_PRODUCT_NAMES_H
#define CP_PRODUCT_NAMES_H

typedef struct cp_product {
  const char *product_type; /* "iPhone14,5" */
  const char *name;         /* "iPhone 13" */
  int rated_cycles;         /* cycles at which 80 % capacity is still expected */
  int legacy_charger;       /* 1: battery figures in AppleARMPMUCharger */
} cp_product;

/* The table row for product_type, or NULL when unknown. */
const cp_product *cp_product_find(const char *product_type);

/* The marketing name, or product_type itself when unknown ("" for NULL). */
const char *cp_product_name(const char *product_type);

/* Rated cycle count: from the table, else by family and number (iPhone 15,4
 * and later 1000; other iPhones 500; iPads 1000); 0 when it cannot be told. */
int cp_product_rated_cycles(const char *product_type);

#endif
