"""The golden tests' fixture digest, its expected site and the script that refreshes it."""
