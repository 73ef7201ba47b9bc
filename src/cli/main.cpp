#include <cstdio>
int main() { std::puts("wenku: under construction"); return 0; }
