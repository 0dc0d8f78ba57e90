"""Change testers: staff who test a change before it goes ahead, each with a test status."""
