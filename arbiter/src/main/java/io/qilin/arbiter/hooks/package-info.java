/** The master's side of the server hooks ({@code --hooks}): loading the class and calling it safely. */
package io.qilin.arbiter.hooks;
