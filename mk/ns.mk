# Part (2): containers and namespaces (issue 6).
PROGRAMS += isolate ns-a ns-b ns-c ns-d
TESTS += test_ns_unit
