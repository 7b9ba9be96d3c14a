/* lab-e --dot: the instances' address spaces and slices, for graphviz. */
#ifndef LAB_E_DIAGRAM_H
#define LAB_E_DIAGRAM_H

#include "instances.h"

/* Write the diagram of m's booted instances to path ("-": stdout); dies on failure. */
void diagram_write(const struct multi_vm *m, const char *path);

#endif
