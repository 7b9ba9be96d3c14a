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
diagrams/%.svg: diagrams/%.dot
	dot -Tsvg $< -o $@
diagrams/%.png: diagrams/%.dot
	dot -Tpng -Gdpi=110 $< -o $@
