"""Study-site pipeline: readers → clean → dedup → topics → render, plus notebook execution."""
