"""What a hostile JSON body costs the server: the old bracket walk against today's checks."""
