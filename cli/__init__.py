"""The ``integrity-archive`` command line: the top layer over flows/, search_api/ and the libraries."""
