# Part (b): print() and exits().
PROGRAMS += lab-b
GUESTS += lab-b
