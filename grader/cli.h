/* The command line of grader/grade. */
#ifndef GRADER_CLI_H
#define GRADER_CLI_H

/* Everything main() does; returns the exit status (usage errors exit with 2). */
int grade_main(int argc, char **argv);

#endif
