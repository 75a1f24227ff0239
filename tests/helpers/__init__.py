"""What several test layers share: paths to the repository's files and test data.

The scripted OpenAI-compatible server the fault tests use ships in the package as
`newsdesk.testing`, because the bench scripts drive it too and they import only the package.
"""
