/* grader/grade: the kit's grading harness. See grader/README.md and grader/RUBRIC.md. */
#include "cli.h"

int main(int argc, char **argv)
{
	return grade_main(argc, argv);
}
