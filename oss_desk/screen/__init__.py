"""The waiting-room screen and the phone page (``oss-desk screen``): public pages, no names."""
