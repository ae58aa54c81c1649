package dev.hybridrouter.policies;

/** Where something starts in a policy file: 1-based line and column. */
record Position(int line, int column) {}
