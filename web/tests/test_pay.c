#include "pa_test.h"
int main(void) { return pa_test_summary("pay"); }
