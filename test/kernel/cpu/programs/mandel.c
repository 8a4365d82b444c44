/*
 * mandel: a floating-point loop (double multiply, add, subtract, divide,
 * compare, integer conversion). run(size, limit) returns the sum of the
 * escape iteration counts over a size × size grid of [-2, 0.5] × [-1.25, 1.25].
 * Built with -ffp-contract=off so that every operation is a separate IEEE
 * operation and a JavaScript loop in the same order computes the same sum.
 */
#include "start.h"

long run(long size, long limit) {
  long total = 0;
  for (long py = 0; py < size; py++) {
    for (long px = 0; px < size; px++) {
      double cx = -2.0 + 2.5 * px / size;
      double cy = -1.25 + 2.5 * py / size;
      double x = 0, y = 0;
      long i = 0;
      while (i < limit && x * x + y * y <= 4.0) {
        double t = x * x - y * y + cx;
        y = 2 * x * y + cy;
        x = t;
        i++;
      }
      total += i;
    }
  }
  return total;
}
