# Part (2): containers and namespaces (issue 6).
PROGRAMS += isolate
