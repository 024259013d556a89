/* See product_names.h. Sorted by family then generation; identifiers from
 * Apple's support pages ("Identify your iPhone/iPad model"). */
#include "product_names.h"

#include <stdio.h>
#include <string.h>

static const cp_product table[] = {
    {"iPhone8,1", "iPhone 6s", 500, 1},
    {"iPhone8,2", "iPhone 6s Plus", 500, 1},
    {"iPhone8,4", "iPhone SE (1st generation)", 500, 1},
    {"iPhone9,1", "iPhone 7", 500, 1},
    {"iPhone9,3", "iPhone 7", 500, 1},
    {"iPhone9,2", "iPhone 7 Plus", 500, 1},
    {"iPhone9,4", "iPhone 7 Plus", 500, 1},
    {"iPhone10,1", "iPhone 8", 500, 0},
    {"iPhone10,4", "iPhone 8", 500, 0},
    {"iPhone10,2", "iPhone 8 Plus", 500, 0},
    {"iPhone10,5", "iPhone 8 Plus", 500, 0},
    {"iPhone10,3", "iPhone X", 500, 0},
    {"iPhone10,6", "iPhone X", 500, 0},
    {"iPhone11,2", "iPhone XS", 500, 0},
    {"iPhone11,4", "iPhone XS Max", 500, 0},
    {"iPhone11,6", "iPhone XS Max", 500, 0},
    {"iPhone11,8", "iPhone XR", 500, 0},
    {"iPhone12,1", "iPhone 11", 500, 0},
    {"iPhone12,3", "iPhone 11 Pro", 500, 0},
    {"iPhone12,5", "iPhone 11 Pro Max", 500, 0},
    {"iPhone12,8", "iPhone SE (2nd generation)", 500, 0},
    {"iPhone13,1", "iPhone 12 mini", 500, 0},
    {"iPhone13,2", "iPhone 12", 500, 0},
    {"iPhone13,3", "iPhone 12 Pro", 500, 0},
    {"iPhone13,4", "iPhone 12 Pro Max", 500, 0},
    {"iPhone14,4", "iPhone 13 mini", 500, 0},
    {"iPhone14,5", "iPhone 13", 500, 0},
    {"iPhone14,2", "iPhone 13 Pro", 500, 0},
    {"iPhone14,3", "iPhone 13 Pro Max", 500, 0},
    {"iPhone14,6", "iPhone SE (3rd generation)", 500, 0},
    {"iPhone14,7", "iPhone 14", 500, 0},
    {"iPhone14,8", "iPhone 14 Plus", 500, 0},
    {"iPhone15,2", "iPhone 14 Pro", 500, 0},
    {"iPhone15,3", "iPhone 14 Pro Max", 500, 0},
    {"iPhone15,4", "iPhone 15", 1000, 0},
    {"iPhone15,5", "iPhone 15 Plus", 1000, 0},
    {"iPhone16,1", "iPhone 15 Pro", 1000, 0},
    {"iPhone16,2", "iPhone 15 Pro Max", 1000, 0},
    {"iPhone17,3", "iPhone 16", 1000, 0},
    {"iPhone17,4", "iPhone 16 Plus", 1000, 0},
    {"iPhone17,1", "iPhone 16 Pro", 1000, 0},
    {"iPhone17,2", "iPhone 16 Pro Max", 1000, 0},
    {"iPhone17,5", "iPhone 16e", 1000, 0},
    {"iPhone18,3", "iPhone 17", 1000, 0},
    {"iPhone18,4", "iPhone Air", 1000, 0},
    {"iPhone18,1", "iPhone 17 Pro", 1000, 0},
    {"iPhone18,2", "iPhone 17 Pro Max", 1000, 0},
    {"iPad5,1", "iPad mini 4", 1000, 0},
    {"iPad5,2", "iPad mini 4", 1000, 0},
    {"iPad5,3", "iPad Air 2", 1000, 0},
    {"iPad5,4", "iPad Air 2", 1000, 0},
    {"iPad6,3", "iPad Pro (9.7-inch)", 1000, 0},
    {"iPad6,4", "iPad Pro (9.7-inch)", 1000, 0},
    {"iPad6,7", "iPad Pro (12.9-inch)", 1000, 0},
    {"iPad6,8", "iPad Pro (12.9-inch)", 1000, 0},
    {"iPad6,11", "iPad (5th generation)", 1000, 0},
    {"iPad6,12", "iPad (5th generation)", 1000, 0},
    {"iPad7,1", "iPad Pro (12.9-inch) (2nd generation)", 1000, 0},
    {"iPad7,2", "iPad Pro (12.9-inch) (2nd generation)", 1000, 0},
    {"iPad7,3", "iPad Pro (10.5-inch)", 1000, 0},
    {"iPad7,4", "iPad Pro (10.5-inch)", 1000, 0},
    {"iPad7,5", "iPad (6th generation)", 1000, 0},
    {"iPad7,6", "iPad (6th generation)", 1000, 0},
    {"iPad7,11", "iPad (7th generation)", 1000, 0},
    {"iPad7,12", "iPad (7th generation)", 1000, 0},
    {"iPad8,1", "iPad Pro (11-inch)", 1000, 0},
    {"iPad8,2", "iPad Pro (11-inch)", 1000, 0},
    {"iPad8,3", "iPad Pro (11-inch)", 1000, 0},
    {"iPad8,4", "iPad Pro (11-inch)", 1000, 0},
    {"iPad8,5", "iPad Pro (12.9-inch) (3rd generation)", 1000, 0},
    {"iPad8,6", "iPad Pro (12.9-inch) (3rd generation)", 1000, 0},
    {"iPad8,7", "iPad Pro (12.9-inch) (3rd generation)", 1000, 0},
    {"iPad8,8", "iPad Pro (12.9-inch) (3rd generation)", 1000, 0},
    {"iPad8,9", "iPad Pro (11-inch) (2nd generation)", 1000, 0},
    {"iPad8,10", "iPad Pro (11-inch) (2nd generation)", 1000, 0},
    {"iPad8,11", "iPad Pro (12.9-inch) (4th generation)", 1000, 0},
    {"iPad8,12", "iPad Pro (12.9-inch) (4th generation)", 1000, 0},
    {"iPad11,1", "iPad mini (5th generation)", 1000, 0},
    {"iPad11,2", "iPad mini (5th generation)", 1000, 0},
    {"iPad11,3", "iPad Air (3rd generation)", 1000, 0},
    {"iPad11,4", "iPad Air (3rd generation)", 1000, 0},
    {"iPad11,6", "iPad (8th generation)", 1000, 0},
    {"iPad11,7", "iPad (8th generation)", 1000, 0},
    {"iPad12,1", "iPad (9th generation)", 1000, 0},
    {"iPad12,2", "iPad (9th generation)", 1000, 0},
    {"iPad13,1", "iPad Air (4th generation)", 1000, 0},
    {"iPad13,2", "iPad Air (4th generation)", 1000, 0},
    {"iPad13,4", "iPad Pro (11-inch) (3rd generation)", 1000, 0},
    {"iPad13,5", "iPad Pro (11-inch) (3rd generation)", 1000, 0},
    {"iPad13,6", "iPad Pro (11-inch) (3rd generation)", 1000, 0},
    {"iPad13,7", "iPad Pro (11-inch) (3rd generation)", 1000, 0},
    {"iPad13,8", "iPad Pro (12.9-inch) (5th generation)", 1000, 0},
    {"iPad13,9", "iPad Pro (12.9-inch) (5th generation)", 1000, 0},
    {"iPad13,10", "iPad Pro (12.9-inch) (5th generation)", 1000, 0},
    {"iPad13,11", "iPad Pro (12.9-inch) (5th generation)", 1000, 0},
    {"iPad13,16", "iPad Air (5th generation)", 1000, 0},
    {"iPad13,17", "iPad Air (5th generation)", 1000, 0},
    {"iPad13,18", "iPad (10th generation)", 1000, 0},
    {"iPad13,19", "iPad (10th generation)", 1000, 0},
    {"iPad14,1", "iPad mini (6th generation)", 1000, 0},
    {"iPad14,2", "iPad mini (6th generation)", 1000, 0},
    {"iPad14,3", "iPad Pro (11-inch) (4th generation)", 1000, 0},
    {"iPad14,4", "iPad Pro (11-inch) (4th generation)", 1000, 0},
    {"iPad14,5", "iPad Pro (12.9-inch) (6th generation)", 1000, 0},
    {"iPad14,6", "iPad Pro (12.9-inch) (6th generation)", 1000, 0},
    {"iPad14,8", "iPad Air 11-inch (M2)", 1000, 0},
    {"iPad14,9", "iPad Air 11-inch (M2)", 1000, 0},
    {"iPad14,10", "iPad Air 13-inch (M2)", 1000, 0},
    {"iPad14,11", "iPad Air 13-inch (M2)", 1000, 0},
    {"iPad15,7", "iPad (A16)", 1000, 0},
    {"iPad15,8", "iPad (A16)", 1000, 0},
    {"iPad16,1", "iPad mini (A17 Pro)", 1000, 0},
    {"iPad16,2", "iPad mini (A17 Pro)", 1000, 0},
    {"iPad16,3", "iPad Pro 11-inch (M4)", 1000, 0},
    {"iPad16,4", "iPad Pro 11-inch (M4)", 1000, 0},
    {"iPad16,5", "iPad Pro 13-inch (M4)", 1000, 0},
    {"iPad16,6", "iPad Pro 13-inch (M4)", 1000, 0},
};

const cp_product *cp_product_find(const char *product_type)
{
  if (!product_type)
    return NULL;
  for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
    if (!strcmp(table[i].product_type, product_type))
      return &table[i];
  return NULL;
}

const char *cp_product_name(const char *product_type)
{
  const cp_product *p = cp_product_find(product_type);
  return p ? p->name : product_type ? product_type : "";
}

int cp_product_rated_cycles(const char *product_type)
{
  const cp_product *p = cp_product_find(product_type);
  if (p)
    return p->rated_cycles;
  int major = 0, minor = 0;
  if (product_type && sscanf(product_type, "iPhone%d,%d", &major, &minor) == 2)
    return (major > 15 || (major == 15 && minor >= 4)) ? 1000 : 500;
  if (product_type && sscanf(product_type, "iPad%d,%d", &major, &minor) == 2)
    return 1000;
  return 0;
}
