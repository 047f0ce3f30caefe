"""marjaa's tests, by room: retrieval/, cli/, telegram/, querylog/; support/ is shared."""
