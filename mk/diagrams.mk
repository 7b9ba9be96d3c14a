# make diagrams: graphviz renderings of live data from lab-a and lab-e.
# The .dot sources hold no per-run host addresses, so regenerating gives the same files.
DIAGRAMS := lab-a lab-e
DIAGRAM_FILES := $(foreach d,$(DIAGRAMS),diagrams/$(d).dot diagrams/$(d).svg diagrams/$(d).png)

.PHONY: diagrams
diagrams: $(DIAGRAM_FILES)

diagrams/lab-a.dot: lab-a
	./lab-a --dot $@ >/dev/null
diagrams/lab-e.dot: lab-e
	./lab-e --work 1 --dot $@ >/dev/null
# dot comes from graphviz: installed first as root, named with the command to
# install it otherwise (like the packages of make grade and make check).
.PHONY: diagrams-deps
diagrams-deps:
	@mk/deps.sh graphviz
diagrams/%.svg: diagrams/%.dot | diagrams-deps
	dot -Tsvg $< -o $@
diagrams/%.png: diagrams/%.dot | diagrams-deps
	dot -Tpng -Gdpi=110 $< -o $@
